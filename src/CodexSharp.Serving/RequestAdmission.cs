namespace CodexSharp.Serving;

/// <summary>
/// Bounded concurrency with a bounded waiting room: at most <c>concurrent</c> requests run, at most
/// <c>queued</c> wait, and the new tokens asked for by all of them (prompts × n × max_tokens) stay within
/// <c>maxTokens</c>; the rest are refused at once with 429 so a client can back off.
/// </summary>
internal sealed class RequestAdmission(int concurrent, int queued, long maxTokens) : IDisposable
{
    private readonly SemaphoreSlim running = new(Math.Max(1, concurrent), Math.Max(1, concurrent));
    private readonly Lock gate = new();
    private int waitingOrRunning;
    private long admittedTokens;

    /// <summary>Requests admitted and not finished: running plus waiting.</summary>
    public int InFlight
    {
        get
        {
            lock (gate) return waitingOrRunning;
        }
    }

    /// <summary>New tokens asked for by the requests admitted and not finished.</summary>
    public long TokensInFlight
    {
        get
        {
            lock (gate) return admittedTokens;
        }
    }

    /// <param name="tokens">The request's work: prompts × n × max_tokens.</param>
    /// <param name="cancellationToken">Gives up waiting for a slot (the client went away).</param>
    public async Task<IDisposable> EnterAsync(long tokens, CancellationToken cancellationToken)
    {
        if (tokens > maxTokens)
        {
            throw ApiErrorException.Invalid("max_tokens",
                $"the request asks for up to {tokens} new tokens (prompts × n × max_tokens) but this server takes at most {maxTokens} at once; split it or lower n or max_tokens");
        }
        lock (gate)
        {
            if (waitingOrRunning + 1 > Math.Max(1, concurrent) + Math.Max(0, queued) || admittedTokens + tokens > maxTokens)
            {
                throw new ApiErrorException(429, "server_busy", "the server is at capacity; retry later", code: "server_busy");
            }
            waitingOrRunning++;
            admittedTokens += tokens;
        }
        try
        {
            await running.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(tokens);
            throw;
        }
        return new Slot(this, tokens);
    }

    public void Dispose() => running.Dispose();

    private void Leave(long tokens)
    {
        lock (gate)
        {
            waitingOrRunning--;
            admittedTokens -= tokens;
        }
    }

    private sealed class Slot(RequestAdmission owner, long tokens) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) != 0) return;
            owner.running.Release();
            owner.Leave(tokens);
        }
    }
}
