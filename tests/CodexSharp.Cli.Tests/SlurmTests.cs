using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;
using Xunit.Abstractions;

namespace CodexSharp.Cli.Tests;

/// <summary>
/// A real single-node Slurm (Debian's munge, slurmctld, slurmd, started by deploy/slurm/local-slurm.sh and stopped
/// at the end), 1,640 HumanEval samples (the canonical solutions and broken ones, some slow), and the evaluation
/// the tests compare against: one machine's results file.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private readonly TempDir _dir = new();

    public SlurmCluster()
    {
        var script = Path.Combine(TestPaths.RepoRoot, "deploy", "slurm", "local-slurm.sh");
        Environment = new Dictionary<string, string?>
        {
            ["CODEXSHARP_SLURM_DIR"] = _dir.File("slurm"),
            ["CODEXSHARP"] = $"dotnet {CodexSharpProcess.Dll}",
            ["NO_COLOR"] = "1",
        };
        File.WriteAllText(Log, "");
        var start = Shell.Run(script, ["start"], Environment, _dir.Path);
        if (start.ExitCode != 0)
        {
            Unavailable = $"Slurm could not start here: {start.All.Trim()}";
            return;
        }
        Environment["SLURM_CONF"] = start.StandardOutput.Trim().Replace("export SLURM_CONF=", "");
        Samples = WriteSamples(_dir.File("samples.jsonl"));
        var reference = CodexSharpProcess.RunAsync(["evaluate", Samples, "--problems", TestPaths.HumanEval, "-o", _dir.File("whole.jsonl"), "--k", "1,10", "--workers", "2", "--no-report"])
            .GetAwaiter().GetResult();
        if (reference.ExitCode != 0) throw new InvalidOperationException(reference.ToString());
        Reference = File.ReadAllBytes(_dir.File("whole.jsonl"));
    }

    /// <summary>Where the tests write the jobs' ids and states and the merge's equality (.ci/run prints it): artifacts/slurm-test.log.</summary>
    public static string Log { get; } = Path.Combine(System.Environment.GetEnvironmentVariable("CODEXSHARP_ARTIFACTS") is { Length: > 0 } a ? a : Path.Combine(TestPaths.RepoRoot, "artifacts"), "slurm-test.log");

    /// <summary>Why Slurm is not running here; null when it is.</summary>
    public string? Unavailable { get; }

    /// <summary>SLURM_CONF, CODEXSHARP (how the jobs start the command line) and the state folder.</summary>
    public Dictionary<string, string?> Environment { get; }

    public string Samples { get; } = "";

    /// <summary>The unsharded run's results file.</summary>
    public byte[] Reference { get; } = [];

    public string Folder(string name) => Directory.CreateDirectory(_dir.File(name)).FullName;

    public void Dispose()
    {
        Shell.Run(Path.Combine(TestPaths.RepoRoot, "deploy", "slurm", "local-slurm.sh"), ["stop"], Environment, _dir.Path);
        _dir.Dispose();
    }

    /// <summary>Each task's canonical solution five times and five broken completions; two of the broken kinds sleep 50 ms first.</summary>
    private static string WriteSamples(string path)
    {
        string[] broken =
        [
            "    return None\n",
            "    import time\n    time.sleep(0.05)\n    raise ValueError('broken')\n",
            "    return (\n",
            "    import time\n    time.sleep(0.05)\n    return 0\n",
            "    pass\n",
        ];
        var rows = Fixtures.HumanEvalSolutions().SelectMany(p => Enumerable.Range(0, 10).Select(i =>
            Fixtures.Sample(p.TaskId, i % 2 == 0 ? p.Canonical : broken[i / 2])));
        return Fixtures.WriteJsonl(path, rows);
    }
}

/// <summary>Runs a program to its end and returns what it printed.</summary>
internal static class Shell
{
    public static ProcessOutcome Run(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment, string directory)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                return new ProcessOutcome(-1, stdout.Result, stderr.Result + $"\n{program} did not finish in 2 minutes");
            }
            return new ProcessOutcome(process.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ProcessOutcome(-1, "", $"{program}: {e.Message}");
        }
    }
}

/// <summary>
/// The sharded evaluation on a real Slurm: the deploy/slurm scripts submit an array of four shards and the merge after
/// it; the merged file must equal one machine's byte for byte, also when one array task is cancelled and resubmitted.
/// Where Slurm cannot start, the tests say why and pass, unless CODEXSHARP_REQUIRE_SLURM=1 (set by .ci/run) asks for it.
/// </summary>
public sealed class SlurmTests(SlurmCluster cluster, ITestOutputHelper output) : IClassFixture<SlurmCluster>
{
    private static readonly string Deploy = Path.Combine(TestPaths.RepoRoot, "deploy", "slurm");

    private bool Available()
    {
        if (cluster.Unavailable is null) return true;
        Assert.False(System.Environment.GetEnvironmentVariable("CODEXSHARP_REQUIRE_SLURM") == "1", cluster.Unavailable);
        Say(cluster.Unavailable + " (the Slurm tests did not run; CODEXSHARP_REQUIRE_SLURM=1 makes this a failure)");
        return false;
    }

    private void Say(string line)
    {
        output.WriteLine(line);
        File.AppendAllText(SlurmCluster.Log, $"{DateTime.UtcNow:HH:mm:ss} {line}\n");
    }

    private ProcessOutcome Slurm(string program, string folder, params string[] args)
    {
        var run = Shell.Run(program, args, cluster.Environment, folder);
        Assert.True(run.ExitCode == 0, $"{program} {string.Join(' ', args)}: {run}");
        return run;
    }

    private string Submit(string folder, params string[] args) => Slurm("sbatch", folder, ["--parsable", .. args]).StandardOutput.Trim().Split(';')[0];

    /// <summary>Waits until none of the jobs is pending or running, then returns each job's (and array task's) final state.</summary>
    private List<string> WaitFor(string folder, params string[] jobs)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (Slurm("squeue", folder, "-h", "-j", string.Join(',', jobs)).StandardOutput.Trim().Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the Slurm jobs did not finish in 4 minutes");
            Thread.Sleep(250);
        }
        return jobs.SelectMany(j => Slurm("scontrol", folder, "-o", "show", "job", j).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(line => $"{Field(line, "JobId")}{(Field(line, "ArrayTaskId") is { Length: > 0 } t ? $" (array {Field(line, "ArrayJobId")}_{t})" : "")} {Field(line, "JobName")}: {Field(line, "JobState")}")
            .ToList();
    }

    private static string Field(string line, string name) =>
        line.Split(' ').FirstOrDefault(p => p.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? "";

    private string[] EvaluateFlags => ["--problems", TestPaths.HumanEval, "--k", "1,10"];

    [Fact]
    public void A_four_shard_array_and_its_merge_job_equal_one_machine_byte_for_byte()
    {
        if (!Available()) return;
        var folder = cluster.Folder("array");
        var results = Path.Combine(folder, "results.jsonl");
        var submitted = Slurm(Path.Combine(Deploy, "submit.sh"), folder, ["evaluate", cluster.Samples, results, "4", .. EvaluateFlags]).StandardOutput.Trim();
        Say(submitted);
        var ids = System.Text.RegularExpressions.Regex.Matches(submitted, @"job (\d+)").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, ids.Length);
        var states = WaitFor(folder, ids);
        states.ForEach(Say);
        Assert.Equal(5, states.Count);
        Assert.All(states, s => Assert.EndsWith(": COMPLETED", s));
        Assert.True(File.Exists(results), string.Join("\n", Directory.GetFiles(folder).Select(f => f + ":\n" + File.ReadAllText(f))));
        var merged = File.ReadAllBytes(results);
        Assert.Equal(cluster.Reference, merged);
        Say($"merged results: {merged.Length} bytes, {merged.Count(b => b == '\n')} rows, byte-equal to the unsharded run: {cluster.Reference.AsSpan().SequenceEqual(merged)}");
    }

    [Fact]
    public async Task A_generate_array_against_an_openai_compatible_server_merges_into_one_machines_samples()
    {
        if (!Available()) return;
        await using var server = await ScriptedModelServer.StartAsync(s => s.CompletionText = (prompt, i) => $"    return {prompt.Length % 97} + {i}\n");
        var folder = cluster.Folder("generate");
        var model = $"openai:{server.ModelName}@{server.BaseUrl}";
        string[] flags = ["--problems", TestPaths.HumanEval, "--n", "3", "--samples-per-request", "3", "--concurrency", "1"];
        var whole = Path.Combine(folder, "whole.jsonl");
        var one = await CodexSharpProcess.RunAsync(["generate", "--model", model, "--out", whole, .. flags]);
        Assert.True(one.ExitCode == 0, one.ToString());

        var samples = Path.Combine(folder, "samples.jsonl");
        var submitted = Slurm(Path.Combine(Deploy, "submit.sh"), folder, ["generate", model, samples, "4", .. flags]).StandardOutput.Trim();
        Say(submitted);
        var states = WaitFor(folder, System.Text.RegularExpressions.Regex.Matches(submitted, @"job (\d+)").Select(m => m.Groups[1].Value).ToArray());
        states.ForEach(Say);
        Assert.All(states, s => Assert.EndsWith(": COMPLETED", s));
        var merged = File.ReadAllBytes(samples);
        Assert.Equal(File.ReadAllBytes(whole), merged);
        Say($"merged samples: {merged.Count(b => b == '\n')} rows from 4 generate shards against {server.BaseUrl}, byte-equal to one machine's: {File.ReadAllBytes(whole).AsSpan().SequenceEqual(merged)}");
    }

    [Fact]
    public void A_cancelled_array_task_resubmitted_alone_resumes_and_the_merge_still_equals_one_machine()
    {
        if (!Available()) return;
        var folder = cluster.Folder("cancel");
        var results = Path.Combine(folder, "results.jsonl");
        var array = Submit(folder, ["--array=0-3", Path.Combine(Deploy, "evaluate.sbatch"), cluster.Samples, results, "4", .. EvaluateFlags]);
        var shard = OutputPaths.Shard(results, 2, 4);
        var journal = OutputPaths.Journal(shard);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (TestFiles.CompleteLines(journal) < 40)
        {
            Assert.True(DateTime.UtcNow < deadline, "shard 2 did not start in 3 minutes");
            Assert.False(File.Exists(shard), "shard 2 finished before it could be cancelled");
            Thread.Sleep(50);
        }
        Slurm("scancel", folder, $"{array}_2");
        var states = WaitFor(folder, array);
        states.ForEach(Say);
        Assert.Contains(states, s => s.Contains($"array {array}_2") && s.EndsWith(": CANCELLED"));
        Assert.False(File.Exists(shard), "the cancelled shard has no results file");
        var done = TestFiles.CompleteLines(journal) - 1;
        Say($"shard 2/4 cancelled with {done} of its verdicts in its journal; record status: {JsonNode.Parse(File.ReadAllText(OutputPaths.Config(shard)))!["status"]}");
        Assert.InRange(done, 39, 409);

        var again = Submit(folder, ["--array=2", Path.Combine(Deploy, "evaluate.sbatch"), cluster.Samples, results, "4", .. EvaluateFlags]);
        var merge = Submit(folder, [$"--dependency=afterok:{again}", Path.Combine(Deploy, "merge.sbatch"), results, "4", "--no-report"]);
        var after = WaitFor(folder, again, merge);
        after.ForEach(Say);
        Assert.All(after, s => Assert.EndsWith(": COMPLETED", s));
        var log = File.ReadAllText(Path.Combine(folder, $"codexsharp-evaluate-{again}_2.out"));
        Assert.Contains("shard 2/4 (from SLURM_ARRAY_TASK_ID=2 and --shards 4)", log);
        Assert.Contains($"continuing: {done} of 410 samples already have a verdict", log);
        var merged = File.ReadAllBytes(results);
        Assert.Equal(cluster.Reference, merged);
        Say($"resubmitted shard 2/4 continued from {done} verdicts; merged results byte-equal to the unsharded run: {cluster.Reference.AsSpan().SequenceEqual(merged)}");
    }
}
