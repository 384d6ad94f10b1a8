using System.Diagnostics;
using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>Workers killed or frozen from outside: the program they ran gets a verdict, and the pool goes on.</summary>
public sealed class WorkerLifecycleTests : IAsyncLifetime
{
    private PythonProgramRunner _runner = null!;

    public async Task InitializeAsync() =>
        _runner = await PythonProgramRunner.StartAsync(SandboxFixture.Options with { Workers = 1, WatchdogTimeout = TimeSpan.FromSeconds(2) });

    public async Task DisposeAsync() => await _runner.DisposeAsync();

    [Fact]
    public async Task A_killed_worker_is_replaced_and_its_program_reported()
    {
        var bubblewrap = Assert.Single(_runner.WorkerProcessIds);
        var running = _runner.RunAsync(new ExecutionRequest("import time\ntime.sleep(30)\n", TimeSpan.FromSeconds(20)));
        await WaitUntilAsync(() => HostProcesses.DescendantsOf(bubblewrap).Count == 2);
        Process.GetProcessById(bubblewrap).Kill();
        var result = await running;
        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.StartsWith("failed: the sandbox worker died while running this program and was replaced", result.Result);
        Assert.Equal(1, _runner.WorkersReplaced);
        await AssertPoolWorksAsync();
        Assert.NotEqual(bubblewrap, Assert.Single(_runner.WorkerProcessIds));
    }

    [Fact]
    public async Task Workers_outlive_the_thread_that_started_the_runner()
    {
        // --die-with-parent follows the thread that started bubblewrap; thread-pool threads retire when idle.
        PythonProgramRunner? runner = null;
        var starter = new Thread(() => runner = PythonProgramRunner.StartAsync(SandboxFixture.Options with { Workers = 1 }).GetAwaiter().GetResult());
        starter.Start();
        starter.Join();
        await using var started = runner!;
        await Task.Delay(500);
        var result = await started.RunAsync(new ExecutionRequest("assert 1 + 1 == 2\n", SandboxFixture.ShortTimeout));
        Assert.Equal("passed", result.Result);
        Assert.Equal(0, started.WorkersReplaced);
    }

    [Fact]
    public async Task A_frozen_worker_is_killed_by_the_watchdog_and_replaced()
    {
        var bubblewrap = Assert.Single(_runner.WorkerProcessIds);
        var worker = HostProcesses.WorkerInside(bubblewrap);
        var running = _runner.RunAsync(new ExecutionRequest("while True:\n    pass\n", SandboxFixture.ShortTimeout));
        await WaitUntilAsync(() => HostProcesses.DescendantsOf(bubblewrap).Count == 2);
        // Frozen from the host (a program cannot do this: the worker is PID 1 of its namespace).
        Assert.Equal(0, Kill(worker, 19 /* SIGSTOP */));
        var result = await running;
        Assert.Equal("failed: the sandbox worker made no progress for 3 s and was replaced", result.Result);
        Assert.Equal(1, _runner.WorkersReplaced);
        Assert.Empty(HostProcesses.DescendantsOf(bubblewrap));
        await AssertPoolWorksAsync();
    }

    private async Task AssertPoolWorksAsync()
    {
        var result = await _runner.RunAsync(new ExecutionRequest("assert sum(range(4)) == 6\n", SandboxFixture.NormalTimeout));
        Assert.Equal("passed", result.Result);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 500 && !condition(); attempt++) await Task.Delay(20);
        Assert.True(condition());
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
