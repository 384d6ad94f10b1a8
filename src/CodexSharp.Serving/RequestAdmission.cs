namespace CodexSharp.Serving;

/// <summary>
/// Bounded concurrency with a bounded waiting room: at most <c>concurrent</c> requests run, at most
/// <c>queued</c> wait, and the rest are refused at once with 429 so a client can back off.
/// </summary>
internal sealed class RequestAdmission(int concurrent, int queued)
{
    private readonly SemaphoreSlim running = new(Math.Max(1, concurrent), Math.Max(1, concurrent));
    private int waitingOrRunning;

    /// <summary>Requests admitted and not finished: running plus waiting.</summary>
    public int InFlight => Volatile.Read(ref waitingOrRunning);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref waitingOrRunning) > Math.Max(1, concurrent) + Math.Max(0, queued))
        {
            Interlocked.Decrement(ref waitingOrRunning);
            throw new ApiErrorException(429, "server_busy", "the server is at capacity; retry later");
        }
        try
        {
            await running.WaitAsync(cancellationToken);
        }
        catch
        {
            Interlocked.Decrement(ref waitingOrRunning);
            throw;
        }
        return new Slot(this);
    }

    private sealed class Slot(RequestAdmission owner) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) != 0) return;
            owner.running.Release();
            Interlocked.Decrement(ref owner.waitingOrRunning);
        }
    }
}
