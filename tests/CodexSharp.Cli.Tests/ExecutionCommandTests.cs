using System.Diagnostics;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>
/// A real `codexsharp evaluate`, stopped by a signal while its sandboxes run programs: none of the processes it
/// started may outlive it.
/// </summary>
public sealed class ExecutionCommandTests : IDisposable
{
    private const int Workers = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task After_SIGTERM_every_sandbox_process_has_exited_and_been_reaped()
    {
        var (codexsharp, run) = await StartBusyEvaluationAsync();
        await SendAsync("TERM", codexsharp.Id);
        await WaitForExitAsync(codexsharp);

        // codexsharp reaps what it started before it exits: not even a zombie is left for init to collect.
        Assert.Empty(run.Where(p => p.Exists()).Select(p => p.ToString()));
        Assert.DoesNotContain("Unhandled exception", await codexsharp.StandardError.ReadToEndAsync());
        Assert.True(File.Exists(_dir.File("samples.jsonl_results.jsonl.partial")) || File.Exists(_dir.File("samples.jsonl_results.jsonl")));
    }

    [Fact]
    public async Task After_SIGKILL_no_sandbox_process_stays_alive()
    {
        var (codexsharp, run) = await StartBusyEvaluationAsync();
        await SendAsync("KILL", codexsharp.Id);
        await WaitForExitAsync(codexsharp);

        // Nothing in codexsharp runs after SIGKILL; bubblewrap's --die-with-parent ends the sandboxes, and the
        // host's init reaps them. Wait (bounded) until every one has died.
        var deadline = Stopwatch.StartNew();
        while (run.Any(p => p.IsAlive()) && deadline.Elapsed < Patience) await Task.Delay(100);
        Assert.Empty(run.Where(p => p.IsAlive()).Select(p => p.ToString()));
    }

    /// <summary>Starts an evaluation whose programs never end, and waits until every worker runs one.</summary>
    private async Task<(Process CodexSharp, IReadOnlyList<HostProcess> Run)> StartBusyEvaluationAsync()
    {
        var problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0")]);
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"),
            Enumerable.Range(0, 3 * Workers).Select(_ => Fixtures.Sample("Toy/0", "    while True:\n        pass\n")));
        var info = CodexSharpProcess.StartInfo(["evaluate", samples, "--problems", problems, "--workers", Workers.ToString(), "--timeout", "600", "--k", "1"], _dir.Path);
        var codexsharp = Process.Start(info)!;
        codexsharp.StandardInput.Close();
        _ = codexsharp.StandardOutput.ReadToEndAsync();

        // Each busy sandbox is bwrap > worker > program.
        var waited = Stopwatch.StartNew();
        IReadOnlyList<HostProcess> run;
        while (true)
        {
            run = HostProcess.DescendantsOf(codexsharp.Id);
            if (run.Count(p => p.Name == "bwrap") == Workers && run.Count(p => p.Name == "python3") >= 2 * Workers) break;
            if (codexsharp.HasExited || waited.Elapsed > Patience)
            {
                if (!codexsharp.HasExited) codexsharp.Kill(entireProcessTree: true);
                Assert.Fail($"the evaluation never had {Workers} busy sandboxes; processes: {string.Join(", ", run)}; stderr: {await codexsharp.StandardError.ReadToEndAsync()}");
            }
            await Task.Delay(100);
        }
        return (codexsharp, run);
    }

    private static async Task SendAsync(string signal, int pid)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString()]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task WaitForExitAsync(Process codexsharp)
    {
        using var limit = new CancellationTokenSource(Patience);
        try
        {
            await codexsharp.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            codexsharp.Kill(entireProcessTree: true);
            Assert.Fail("codexsharp did not exit after the signal");
        }
    }
}

/// <summary>A host process seen in /proc, identified by id and start time so that a reused id does not count.</summary>
public sealed record HostProcess(int Pid, int Parent, string Name, string StartTime)
{
    public static IReadOnlyList<HostProcess> DescendantsOf(int root)
    {
        var all = Directory.EnumerateDirectories("/proc").Select(d => Read(Path.GetFileName(d))).OfType<HostProcess>().ToList();
        var found = new List<HostProcess>();
        var frontier = new Stack<int>([root]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Pop();
            foreach (var child in all.Where(p => p.Parent == parent))
            {
                found.Add(child);
                frontier.Push(child.Pid);
            }
        }
        return found;
    }

    /// <summary>True while the process exists in any state, zombie included.</summary>
    public bool Exists() => Read(Pid.ToString()) is { } now && now.StartTime == StartTime;

    /// <summary>True while the process exists and is not a zombie.</summary>
    public bool IsAlive() => Read(Pid.ToString()) is { } now && now.StartTime == StartTime && now.State != "Z";

    private string State { get; init; } = "";

    private static HostProcess? Read(string pid)
    {
        if (!int.TryParse(pid, out var id)) return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{id}/stat");
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            return new HostProcess(id, int.Parse(fields[1]), stat[(stat.IndexOf('(') + 1)..close], fields[19]) { State = fields[0] };
        }
        catch (IOException)
        {
            return null;
        }
    }

    public override string ToString() => $"{Pid} {Name} [{State}]";
}
