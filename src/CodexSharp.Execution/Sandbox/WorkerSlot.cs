using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Sandbox;

/// <summary>
/// One place in the pool: a thread of its own that takes programs from the shared queue and runs them on its
/// worker with blocking reads and writes, replacing the worker whenever it is lost. The program that was
/// running on a lost worker gets a "failed" verdict. A dedicated thread rather than async hops through the
/// thread pool: with a verdict every millisecond or so, the pool's threads spent more time spinning and
/// switching than the worker spent running programs.
/// </summary>
internal sealed class WorkerSlot(WorkerLaunch launch, PythonRunnerOptions options) : IAsyncDisposable
{
    private WorkerProcess? _worker;

    public int ProcessId => _worker?.ProcessId ?? 0;

    public int Replacements { get; private set; }

    public async Task StartWorkerAsync(CancellationToken cancellationToken) =>
        _worker = await WorkerProcess.StartAsync(launch, options, cancellationToken);

    /// <summary>Serves the queue on a new thread until it is completed or <paramref name="shutdown"/> is cancelled.</summary>
    public Task ServeOnOwnThread(string name, ChannelReader<PendingRun> queue, CancellationToken shutdown)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Serve(queue, shutdown);
                done.SetResult();
            }
            catch (Exception error)
            {
                done.SetException(error);
            }
        }) { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    private void Serve(ChannelReader<PendingRun> queue, CancellationToken shutdown)
    {
        try
        {
            while (true)
            {
                if (!queue.TryRead(out var run))
                {
                    if (!queue.WaitToReadAsync(shutdown).AsTask().GetAwaiter().GetResult()) return;
                    continue;
                }
                if (run.IsCancelled) continue;
                RunOne(run, shutdown);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    [SuppressMessage("Reliability", "CA2000", Justification = "The slot owns its worker: a lost one is disposed here, the last one by DisposeAsync.")]
    private void RunOne(PendingRun run, CancellationToken shutdown)
    {
        try
        {
            _worker ??= WorkerProcess.StartAsync(launch, options, shutdown).GetAwaiter().GetResult();
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
            run.Complete(_worker.Run(run.Request, options.WatchdogTimeout));
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
            worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
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
