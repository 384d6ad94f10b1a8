using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>`evaluate` with a loop among its samples: the loop stops at its CPU-time limit and the summary says what it cost.</summary>
public sealed class TimeoutSummaryTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_loop_stops_at_its_cpu_limit_a_slow_correct_program_passes_and_the_summary_counts_the_timeout()
    {
        var problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0")]);
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"),
        [
            Fixtures.Sample("Toy/0", "    while True:\n        pass\n"),
            // Slow but correct: half a second of waiting and a little work, well inside both limits.
            Fixtures.Sample("Toy/0", "    import time\n    time.sleep(0.5)\n    assert sum(range(10 ** 5)) == 4999950000\n    return a + b\n"),
            Fixtures.Sample("Toy/0", "    return a + b\n"),
        ]);
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", problems, "--timeout", "20", "--cpu-limit", "0.5", "--k", "1"]);
        Assert.True(run.ExitCode == 0, run.ToString());

        var rows = JsonlFile.Read(samples + "_results.jsonl").Select(r => r.Object["result"]!.GetValue<string>()).ToList();
        Assert.Equal(["timed out", "passed", "passed"], rows);
        var timeouts = JsonNode.Parse(File.ReadAllText(samples + "_results.summary.json"))!["timeouts"]!;
        Assert.Equal(1, timeouts["count"]!.GetValue<int>());
        // At least the CPU time it was allowed, far less than the 20 s wall-clock limit.
        Assert.InRange(timeouts["seconds"]!.GetValue<double>(), 0.5, 19.5);
        Assert.InRange(timeouts["share_of_run"]!.GetValue<double>(), 0.0001, 1);
        Assert.Contains("timeouts: 1 program ran", run.StandardOutput);
    }
}
