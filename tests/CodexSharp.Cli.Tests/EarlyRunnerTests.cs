using System.Globalization;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;

namespace CodexSharp.Cli.Tests;

/// <summary>
/// evaluate starts its sandbox while it reads its inputs: a runner that is taken belongs to the evaluation, one
/// that is never taken (bad input, nothing left to run) leaves no sandbox behind.
/// </summary>
public sealed class EarlyRunnerTests
{
    private static readonly EvaluationSettings TwoWorkers = new() { Workers = 2 };

    [Fact]
    public async Task A_runner_never_taken_is_stopped_whether_or_not_its_workers_were_ready()
    {
        var before = SandboxChildren();
        await using (EarlyRunner.Start(ProgramLanguages.Python, TwoWorkers, CancellationToken.None))
        {
            // Disposed at once: the start is cancelled part-way.
        }
        Assert.Empty(SandboxChildren().Except(before));

        var early = EarlyRunner.Start(ProgramLanguages.Python, TwoWorkers, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (SandboxChildren().Except(before).Count() < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(2, SandboxChildren().Except(before).Count());
        await early.DisposeAsync();
        Assert.Empty(SandboxChildren().Except(before));
    }

    [Fact]
    public async Task A_taken_runner_belongs_to_the_taker_and_outlives_the_early_start()
    {
        IProgramRunner runner;
        await using (var early = EarlyRunner.Start(ProgramLanguages.Python, TwoWorkers, CancellationToken.None))
        {
            runner = await early.TakeAsync(CancellationToken.None);
        }
        await using (runner)
        {
            var result = await runner.RunAsync(new ExecutionRequest("assert 1 + 1 == 2\n", TimeSpan.FromSeconds(10)));
            Assert.True(result.Passed, result.Result);
        }
    }

    /// <summary>Process ids of this process's bubblewrap children (the sandboxes a runner in this process started).</summary>
    private static HashSet<int> SandboxChildren()
    {
        var me = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var children = new HashSet<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (name == "bwrap" && fields[1] == me && fields[0] != "Z") children.Add(pid);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile.
            }
        }
        return children;
    }
}
