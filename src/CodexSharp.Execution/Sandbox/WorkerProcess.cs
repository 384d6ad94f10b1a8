using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Sandbox;

/// <summary>
/// One running worker: a sandbox with a warm Python inside that runs one program at a time. A worker that dies,
/// stalls or breaks the protocol is reported through <see cref="WorkerLostException"/> and must be replaced.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private const int StderrTailChars = 8 * 1024;

    /// <summary>How long bubblewrap gets to exit by itself once its worker is killed, before it is killed too.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    /// <summary>Every worker not yet stopped: whatever way this process ends, none of them may outlive it.</summary>
    private static readonly ConcurrentDictionary<WorkerProcess, byte> Live = new();

    private readonly Process _process;
    private readonly Stream _requests;
    private readonly Stream _responses;
    private readonly Task _stderrPump;
    private readonly StringBuilder _stderrTail = new();
    private readonly byte[] _header = new byte[WorkerProtocol.ResponseHeaderSize];
    private readonly int _maxMessageBytes;
    private readonly bool _sandboxed;
    private readonly Timer _watchdog;
    private readonly Lock _watch = new();
    private long _watchDeadline;  // Stopwatch timestamp after which the program in flight counts as stalled; 0: none in flight
    private bool _stalled;
    private ulong _nextId;

    static WorkerProcess()
    {
        // Runs when Main returns, on Environment.Exit and on SIGTERM, even when no DisposeAsync got to run.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllNow();
    }

    private WorkerProcess(Process process, int maxMessageBytes, bool sandboxed)
    {
        _process = process;
        _sandboxed = sandboxed;
        Live.TryAdd(this, 0);
        _requests = process.StandardInput.BaseStream;
        _responses = process.StandardOutput.BaseStream;
        _maxMessageBytes = maxMessageBytes;
        _stderrPump = Task.Run(PumpStderrAsync);
        _watchdog = new Timer(_ => OnWatchdog());
    }

    /// <summary>The host-side process id (bubblewrap's, or the interpreter's when unsandboxed).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a worker and waits until it has imported its modules and said it is ready.</summary>
    [SuppressMessage("Reliability", "CA2000", Justification = "Returned to the caller when ready; every other path stops it with StopAsync, which is what DisposeAsync does.")]
    public static async Task<WorkerProcess> StartAsync(WorkerLaunch launch, PythonRunnerOptions options, CancellationToken cancellationToken)
    {
        var process = await LauncherThread.StartAsync(launch.ToStartInfo());
        var worker = new WorkerProcess(process, 4 * options.MaxOutputBytes + 4096, launch.Sandboxed);
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startup.CancelAfter(options.StartupTimeout);
        var greeting = new byte[WorkerProtocol.Ready.Length];
        try
        {
            await worker._responses.ReadExactlyAsync(greeting, startup.Token);
            if (!greeting.AsSpan().SequenceEqual(WorkerProtocol.Ready)) throw new InvalidDataException("unexpected greeting");
            return worker;
        }
        catch (Exception error) when (error is EndOfStreamException or InvalidDataException or OperationCanceledException or IOException)
        {
            var diagnostics = await worker.StopAsync();
            cancellationToken.ThrowIfCancellationRequested();
            throw new WorkerStartException(error is OperationCanceledException
                ? $"the worker did not become ready within {options.StartupTimeout.TotalSeconds:0} s. {diagnostics}"
                : diagnostics);
        }
        catch
        {
            await worker.StopAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs one program, blocking the calling thread until its verdict. Throws <see cref="WorkerLostException"/>
    /// when the worker died, stalled (no answer within the program's limit plus <paramref name="watchdog"/>:
    /// the watchdog timer kills it, which ends the blocked read) or misbehaved.
    /// </summary>
    public ExecutionResult Run(ExecutionRequest request, TimeSpan watchdog)
    {
        var id = ++_nextId;
        var patience = request.Timeout + watchdog;
        lock (_watch)
        {
            _stalled = false;
            _watchDeadline = Stopwatch.GetTimestamp() + (long)(patience.TotalSeconds * Stopwatch.Frequency);
        }
        _watchdog.Change(patience, Timeout.InfiniteTimeSpan);
        try
        {
            _requests.Write(WorkerProtocol.EncodeRequest(id, request.Program, request.Timeout, request.CpuLimit, request.Judge));
            _requests.Flush();
            _responses.ReadExactly(_header);
            var header = WorkerProtocol.DecodeResponseHeader(_header);
            if (header.Id != id || header.MessageLength > _maxMessageBytes)
            {
                throw new InvalidDataException($"response {header.Id} with a {header.MessageLength}-byte message to request {id}");
            }
            var message = new byte[header.MessageLength];
            _responses.ReadExactly(message);
            return WorkerProtocol.ToResult(header, message);
        }
        catch (Exception error) when (error is IOException or EndOfStreamException or InvalidDataException or ObjectDisposedException)
        {
            bool stalled;
            lock (_watch) stalled = _stalled;
            var diagnostics = StopAsync().GetAwaiter().GetResult();
            if (stalled) throw new WorkerLostException($"the sandbox worker made no progress for {patience.TotalSeconds:0.#} s and was replaced");
            var reason = error is InvalidDataException ? "broke the protocol (" + error.Message + ")" : "died";
            throw new WorkerLostException($"the sandbox worker {reason} while running this program and was replaced{diagnostics}");
        }
        finally
        {
            lock (_watch) _watchDeadline = 0;
        }
    }

    /// <summary>The watchdog fired: if the program it was set for is still in flight and past its time, the worker has stalled.</summary>
    private void OnWatchdog()
    {
        lock (_watch)
        {
            if (_watchDeadline == 0) return;
            var early = _watchDeadline - Stopwatch.GetTimestamp();
            if (early > 0)
            {
                // A timer may fire a little before the stopwatch deadline; wait out the rest instead of never again.
                try
                {
                    _watchdog.Change(TimeSpan.FromSeconds((double)early / Stopwatch.Frequency) + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                    // Disposed meanwhile.
                }
                return;
            }
            _stalled = true;
        }
        try
        {
            KillWorkerFirst();
        }
        catch (InvalidOperationException)
        {
            // Disposed meanwhile.
        }
    }

    /// <summary>
    /// Kills the worker (and with it its whole sandbox), waits until it has exited and been reaped, and returns
    /// what it said on stderr.
    /// </summary>
    public async Task<string> StopAsync()
    {
        KillWorkerFirst();
        if (!await ExitsWithinAsync(ExitGrace))
        {
            KillWholeTree();
            await ExitsWithinAsync(TimeSpan.FromSeconds(10));  // a process that outlives SIGKILL is the kernel's problem
        }
        Live.TryRemove(this, out _);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _stderrPump.WaitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // Report what we have.
        }
        string tail;
        lock (_stderrTail) tail = _stderrTail.ToString().Trim();
        var exit = _process.HasExited ? $" (exit code {_process.ExitCode})" : "";
        return tail.Length == 0 ? exit : $"{exit}: {tail}";
    }

    public async ValueTask DisposeAsync()
    {
        await _watchdog.DisposeAsync();
        await StopAsync();
        _process.Dispose();
    }

    /// <summary>
    /// Kills the worker inside the sandbox, not bubblewrap: bubblewrap then reaps it and exits by itself, and this
    /// process reaps bubblewrap. Killing bubblewrap first would leave the worker to the host's init as a zombie.
    /// Unsandboxed, the worker is this process's child and takes its programs along.
    /// </summary>
    private void KillWorkerFirst()
    {
        if (!_sandboxed)
        {
            KillWholeTree();
            return;
        }
        int[] children;
        try
        {
            children = File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException)
        {
            children = [];  // bubblewrap has exited, or this kernel does not list children
        }
        foreach (var child in children)
        {
            try
            {
                using var worker = Process.GetProcessById(child);
                worker.Kill();
            }
            catch (Exception error) when (error is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
        if (children.Length == 0) KillWholeTree();
    }

    private void KillWholeTree()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private async Task<bool> ExitsWithinAsync(TimeSpan limit)
    {
        using var wait = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>At process exit: stops every live worker at once and reaps it, within a few seconds in all.</summary>
    private static void StopAllNow()
    {
        var workers = Live.Keys.ToArray();
        foreach (var worker in workers)
        {
            try
            {
                worker.KillWorkerFirst();
            }
            catch (InvalidOperationException)
            {
                // Disposed meanwhile, after it was stopped.
            }
        }
        foreach (var worker in workers)
        {
            try
            {
                if (worker._process.WaitForExit(ExitGrace)) continue;
                worker.KillWholeTree();
                worker._process.WaitForExit(ExitGrace);
            }
            catch (InvalidOperationException)
            {
                // Disposed meanwhile, after it was stopped.
            }
        }
    }

    /// <summary>Keeps the last few KiB of the worker's stderr (bubblewrap's errors, a worker traceback).</summary>
    private async Task PumpStderrAsync()
    {
        var buffer = new char[4096];
        var reader = _process.StandardError;
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (_stderrTail)
                {
                    _stderrTail.Append(buffer, 0, read);
                    if (_stderrTail.Length > StderrTailChars) _stderrTail.Remove(0, _stderrTail.Length - StderrTailChars);
                }
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // The pipe closed with the process.
        }
    }
}

/// <summary>A worker that could not start; the message carries its stderr.</summary>
internal sealed class WorkerStartException(string message) : Exception(message);

/// <summary>A worker that died, stalled or broke the protocol while running a program.</summary>
internal sealed class WorkerLostException(string message) : Exception(message);
