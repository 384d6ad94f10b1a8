using System.Diagnostics;
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

    private readonly Process _process;
    private readonly Stream _requests;
    private readonly Stream _responses;
    private readonly Task _stderrPump;
    private readonly StringBuilder _stderrTail = new();
    private readonly byte[] _header = new byte[WorkerProtocol.ResponseHeaderSize];
    private readonly int _maxMessageBytes;
    private ulong _nextId;

    private WorkerProcess(Process process, int maxMessageBytes)
    {
        _process = process;
        _requests = process.StandardInput.BaseStream;
        _responses = process.StandardOutput.BaseStream;
        _maxMessageBytes = maxMessageBytes;
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    /// <summary>The host-side process id (bubblewrap's, or the interpreter's when unsandboxed).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a worker and waits until it has imported its modules and said it is ready.</summary>
    public static async Task<WorkerProcess> StartAsync(WorkerLaunch launch, PythonRunnerOptions options, CancellationToken cancellationToken)
    {
        var process = await LauncherThread.StartAsync(launch.ToStartInfo());
        var worker = new WorkerProcess(process, 4 * options.MaxOutputBytes + 4096);
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
    }

    /// <summary>Runs one program. Throws <see cref="WorkerLostException"/> when the worker died, stalled or misbehaved.</summary>
    public async Task<ExecutionResult> RunAsync(string program, TimeSpan timeout, TimeSpan watchdog)
    {
        var id = ++_nextId;
        using var deadline = new CancellationTokenSource(timeout + watchdog);
        try
        {
            await _requests.WriteAsync(WorkerProtocol.EncodeRequest(id, program, timeout), deadline.Token);
            await _requests.FlushAsync(deadline.Token);
            await _responses.ReadExactlyAsync(_header, deadline.Token);
            var header = WorkerProtocol.DecodeResponseHeader(_header);
            if (header.Id != id || header.MessageLength > _maxMessageBytes)
            {
                throw new InvalidDataException($"response {header.Id} with a {header.MessageLength}-byte message to request {id}");
            }
            var message = new byte[header.MessageLength];
            await _responses.ReadExactlyAsync(message, deadline.Token);
            return WorkerProtocol.ToResult(header, message);
        }
        catch (OperationCanceledException)
        {
            await StopAsync();
            throw new WorkerLostException($"the sandbox worker made no progress for {(timeout + watchdog).TotalSeconds:0.#} s and was replaced");
        }
        catch (Exception error) when (error is IOException or EndOfStreamException or InvalidDataException or ObjectDisposedException)
        {
            var diagnostics = await StopAsync();
            var reason = error is InvalidDataException ? "broke the protocol (" + error.Message + ")" : "died";
            throw new WorkerLostException($"the sandbox worker {reason} while running this program and was replaced{diagnostics}");
        }
    }

    /// <summary>Kills the worker (and with it its whole sandbox) and returns what it said on stderr.</summary>
    public async Task<string> StopAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
            await _stderrPump.WaitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            // A process that outlives SIGKILL for 10 s is the kernel's problem; report what we have.
        }
        string tail;
        lock (_stderrTail) tail = _stderrTail.ToString().Trim();
        var exit = _process.HasExited ? $" (exit code {_process.ExitCode})" : "";
        return tail.Length == 0 ? exit : $"{exit}: {tail}";
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
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
