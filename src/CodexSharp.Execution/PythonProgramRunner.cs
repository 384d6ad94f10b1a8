using System.Threading.Channels;
using CodexSharp.Core.Execution;
using CodexSharp.Execution.Sandbox;

namespace CodexSharp.Execution;

/// <summary>
/// Runs Python programs in a pool of warm, sandboxed workers. Each program runs in a fresh process forked from
/// its worker, under rlimits, with its own private temp directory; the worker decides the verdict and kills
/// every process the program started before answering. Workers that die or stall are replaced, and the program
/// they were running gets a "failed" verdict that says what happened.
/// </summary>
public sealed class PythonProgramRunner : IProgramRunner
{
    private readonly Channel<PendingRun> _queue = Channel.CreateUnbounded<PendingRun>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _shutdown = new();
    private readonly WorkerSlot[] _slots;
    private readonly Task[] _slotLoops;

    private PythonProgramRunner(WorkerSlot[] slots)
    {
        _slots = slots;
        _slotLoops = slots.Select((slot, i) => slot.ServeOnOwnThread($"sandbox worker slot {i}", _queue.Reader, _shutdown.Token)).ToArray();
    }

    /// <summary>The options in force.</summary>
    public PythonRunnerOptions Options { get; private init; } = new();

    /// <summary>
    /// Checks the machine, starts every worker and waits until all are ready.
    /// Throws <see cref="SandboxUnavailableException"/> when bubblewrap is missing or cannot create its
    /// namespaces (unless <see cref="PythonRunnerOptions.Unsandboxed"/>), and
    /// <see cref="Core.UserInputException"/> when the interpreter does not exist.
    /// </summary>
    public static async Task<PythonProgramRunner> StartAsync(PythonRunnerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Workers < 1 || options.Workers > PythonRunnerOptions.MaxWorkers)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers,
                $"Workers must be between 1 and {PythonRunnerOptions.MaxWorkers} (four per core).");
        }
        if (options.MaxOpenFiles is > 0 and < 32) throw new ArgumentOutOfRangeException(nameof(options), "MaxOpenFiles must be 0 (no limit) or at least 32.");
        if (options.MaxOutputBytes < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxOutputBytes cannot be negative.");
        var launch = WorkerLaunch.Create(options);
        var slots = Enumerable.Range(0, options.Workers).Select(_ => new WorkerSlot(launch, options)).ToArray();
        try
        {
            // All at once: each takes a few hundred milliseconds to import its modules.
            await Task.WhenAll(slots.Select(slot => slot.StartWorkerAsync(cancellationToken)));
        }
        catch (Exception error) when (error is WorkerStartException or System.ComponentModel.Win32Exception)
        {
            await Task.WhenAll(slots.Select(slot => slot.DisposeAsync().AsTask()));
            var detail = error is WorkerStartException ? error.Message : ": " + error.Message;
            if (!launch.Sandboxed) throw new InvalidOperationException("The Python worker could not start" + detail);
            throw new SandboxUnavailableException("bubblewrap could not create the sandbox" + detail);
        }
        catch
        {
            await Task.WhenAll(slots.Select(slot => slot.DisposeAsync().AsTask()));
            throw;
        }
        return new PythonProgramRunner(slots) { Options = options };
    }

    /// <inheritdoc />
    public Task<ExecutionResult> RunAsync(ExecutionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var run = new PendingRun(request, cancellationToken);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(run), this);
        return run.Task;
    }

    /// <summary>Host process ids of the live workers (bubblewrap's), for diagnostics and tests.</summary>
    internal IReadOnlyList<int> WorkerProcessIds => _slots.Select(slot => slot.ProcessId).Where(id => id > 0).ToArray();

    /// <summary>How many workers have been replaced after dying or stalling.</summary>
    public int WorkersReplaced => _slots.Sum(slot => slot.Replacements);

    /// <summary>
    /// Stops every worker at once (a program still running is abandoned, not judged) and waits until each
    /// sandbox has exited and been reaped, so that no process of this runner outlives it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _shutdown.CancelAsync();
        await Task.WhenAll(_slots.Select(slot => slot.StopWorkerAsync()));
        await Task.WhenAll(_slotLoops);
        await Task.WhenAll(_slots.Select(slot => slot.DisposeAsync().AsTask()));
        while (_queue.Reader.TryRead(out var left)) left.Abandon();
        _shutdown.Dispose();
    }
}
