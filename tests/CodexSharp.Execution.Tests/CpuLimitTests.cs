using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>
/// The CPU-time limit: a program whose process uses more CPU than its limit is "timed out" as soon as it does,
/// long before its wall-clock limit; time spent sleeping or waiting does not count against it.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CpuLimitTests(SandboxFixture sandbox)
{
    private static readonly TimeSpan WallLimit = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CpuLimit = TimeSpan.FromSeconds(0.4);

    private Task<ExecutionResult> RunAsync(string program) =>
        sandbox.Runner.RunAsync(new ExecutionRequest(program, WallLimit) { CpuLimit = CpuLimit });

    [Fact]
    public async Task A_loop_is_stopped_when_it_has_used_its_cpu_time_not_at_the_wall_clock_limit()
    {
        var result = await RunAsync("while True:\n    pass\n");
        Assert.Equal("timed out", result.Result);
        Assert.Equal(ExecutionStatus.TimedOut, result.Status);
        Assert.True(result.CpuTime >= CpuLimit, $"stopped after {result.CpuTime} of CPU");
        Assert.True(result.Duration < WallLimit / 2, $"stopped after {result.Duration} of wall-clock time");
    }

    [Fact]
    public async Task A_loop_in_a_thread_counts_against_its_process()
    {
        var program = "import threading\ndef spin():\n    while True:\n        pass\nthreading.Thread(target=spin, daemon=True).start()\nimport time\ntime.sleep(60)\n";
        var result = await RunAsync(program);
        Assert.Equal("timed out", result.Result);
        Assert.True(result.Duration < WallLimit / 2, $"stopped after {result.Duration} of wall-clock time");
    }

    [Fact]
    public async Task Sleeping_costs_no_cpu_time_so_a_slow_but_correct_program_passes()
    {
        var result = await RunAsync("import time\ntime.sleep(0.8)\nassert sum(range(10 ** 5)) == 4999950000\n");
        Assert.Equal("passed", result.Result);
        Assert.True(result.Duration > CpuLimit);
        Assert.True(result.CpuTime < CpuLimit, $"used {result.CpuTime} of CPU");
    }

    [Fact]
    public async Task A_program_that_finishes_after_using_more_than_its_cpu_time_has_still_timed_out()
    {
        // Ends 50 ms past the limit, between two of the worker's looks at its CPU time if it is lucky: the
        // CPU time measured at its end decides, so the verdict never depends on when the worker looked.
        var program = "import time\nend = time.process_time() + 0.45\nwhile time.process_time() < end:\n    pass\n";
        var result = await RunAsync(program);
        Assert.Equal("timed out", result.Result);
    }

    [Fact]
    public async Task Without_a_cpu_limit_only_the_wall_clock_decides()
    {
        var program = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end:\n    pass\n";
        var result = await sandbox.Runner.RunAsync(new ExecutionRequest(program, WallLimit));
        Assert.Equal("passed", result.Result);
        Assert.True(result.CpuTime >= TimeSpan.FromSeconds(0.6), $"used {result.CpuTime} of CPU");
    }
}
