using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Sandbox;

/// <summary>A program waiting for, or running on, a worker, and the caller waiting for its verdict.</summary>
internal sealed class PendingRun
{
    private readonly TaskCompletionSource<ExecutionResult> _verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _cancellation;

    public PendingRun(ExecutionRequest request, CancellationToken cancellationToken)
    {
        Request = request;
        _cancellation = cancellationToken.Register(() => _verdict.TrySetCanceled(cancellationToken));
    }

    public ExecutionRequest Request { get; }

    public Task<ExecutionResult> Task => _verdict.Task;

    public bool IsCancelled => _verdict.Task.IsCanceled;

    public void Complete(ExecutionResult result)
    {
        _verdict.TrySetResult(result);
        _cancellation.Dispose();
    }

    public void Fail(Exception error)
    {
        _verdict.TrySetException(error);
        _cancellation.Dispose();
    }

    public void Abandon() => Fail(new ObjectDisposedException(nameof(PythonProgramRunner), "The runner was disposed before this program ran."));
}
