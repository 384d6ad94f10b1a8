using System.Diagnostics;
using System.Threading.Channels;
using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Sandbox;

/// <summary>
/// One place in the pool: takes programs from the shared queue and runs them on its worker, replacing the
/// worker whenever it is lost. The program that was running on a lost worker gets a "failed" verdict.
/// </summary>
internal sealed class WorkerSlot(WorkerLaunch launch, PythonRunnerOptions options) : IAsyncDisposable
{
    private WorkerProcess? _worker;

    public int ProcessId => _worker?.ProcessId ?? 0;

    public int Replacements { get; private set; }

    public async Task StartWorkerAsync(CancellationToken cancellationToken) =>
        _worker = await WorkerProcess.StartAsync(launch, options, cancellationToken);

    public async Task ServeAsync(ChannelReader<PendingRun> queue, CancellationToken shutdown)
    {
        try
        {
            await foreach (var run in queue.ReadAllAsync(shutdown))
            {
                if (run.IsCancelled) continue;
                await RunOneAsync(run, shutdown);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task RunOneAsync(PendingRun run, CancellationToken shutdown)
    {
        try
        {
            _worker ??= await WorkerProcess.StartAsync(launch, options, shutdown);
        }
        catch (WorkerStartException error)
        {
            run.Fail(new InvalidOperationException("A replacement sandbox worker could not start" + error.Message));
            return;
        }
        catch (OperationCanceledException)
        {
            run.Abandon();
            throw;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            run.Complete(await _worker.RunAsync(run.Request.Program, run.Request.Timeout, options.WatchdogTimeout));
        }
        catch (WorkerLostException) when (shutdown.IsCancellationRequested)
        {
            run.Abandon();  // the runner stopped the worker; the program has no verdict
        }
        catch (WorkerLostException lost)
        {
            var worker = _worker;
            _worker = null;
            Replacements++;
            await worker.DisposeAsync();
            run.Complete(ExecutionResult.Fail(lost.Message, Stopwatch.GetElapsedTime(started)));
        }
    }

    /// <summary>Kills the current worker, if any, without waiting for the program it runs.</summary>
    public async Task StopWorkerAsync()
    {
        if (_worker is { } worker) await worker.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is { } worker)
        {
            _worker = null;
            await worker.DisposeAsync();
        }
    }
}
