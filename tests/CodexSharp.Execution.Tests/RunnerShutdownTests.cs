using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>The pool's size is bounded, and disposing a runner leaves no process behind, even mid-program.</summary>
public sealed class RunnerShutdownTests
{
    [Fact]
    public async Task Workers_outside_one_to_the_cap_are_refused()
    {
        foreach (var workers in new[] { 0, -1, PythonRunnerOptions.MaxWorkers + 1 })
        {
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = workers }));
            Assert.Equal(workers, error.ActualValue);
            Assert.Contains($"between 1 and {PythonRunnerOptions.MaxWorkers}", error.Message);
        }
    }

    [Fact]
    public async Task Disposing_mid_program_abandons_the_program_and_reaps_every_sandbox_process()
    {
        var runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = 2 });
        var running = Enumerable.Range(0, 3).Select(_ => runner.RunAsync(new ExecutionRequest("while True:\n    pass\n", TimeSpan.FromSeconds(30)))).ToArray();
        var processes = runner.WorkerProcessIds.SelectMany(bwrap => new[] { bwrap, HostProcesses.WorkerInside(bwrap) })
            .Select(HostProcesses.Identify).ToList();
        Assert.Equal(4, processes.Count);

        await runner.DisposeAsync();

        foreach (var run in running) await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => run);
        // Reaped, not merely killed: not even a zombie is left for the host's init to collect.
        Assert.DoesNotContain(processes, HostProcesses.StillExists);
    }
}
