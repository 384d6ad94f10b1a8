using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;

namespace CodexSharp.Cli;

/// <summary>
/// A program runner started before it is needed: its sandboxed workers import their modules while the
/// evaluation reads its inputs, hashes them and locks its output, instead of after. The evaluation takes it
/// when it first needs a runner and from then on owns it; a failed start surfaces there, where a runner started
/// on demand would have failed. One never taken (bad input, nothing left to run) is cancelled and stopped on dispose.
/// </summary>
internal sealed class EarlyRunner : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly Task<IProgramRunner> _starting;
    private int _taken;

    private EarlyRunner(CancellationTokenSource cancel, Task<IProgramRunner> starting)
    {
        _cancel = cancel;
        _starting = starting;
    }

    /// <summary>Starts the runner of <paramref name="language"/> for <paramref name="settings"/> now.</summary>
    public static EarlyRunner Start(string language, EvaluationSettings settings, CancellationToken ct)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        return new(cancel, ProgramRunners.StartAsync(language, settings, cancel.Token));
    }

    /// <summary>The runner, once started; the caller owns it from here on (the start function of <see cref="Evaluator"/>).</summary>
    public Task<IProgramRunner> TakeAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _taken, 1);
        return _starting;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _taken, 1) == 0)
        {
            await _cancel.CancelAsync();
            try
            {
                await (await _starting).DisposeAsync();
            }
            catch (Exception)
            {
                // Never used: why it did not start does not concern this run, which ended or failed for its own reason.
            }
        }
        // Taken: the taker awaited the start, so nothing uses the token any more.
        _cancel.Dispose();
    }
}
