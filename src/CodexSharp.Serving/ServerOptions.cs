namespace CodexSharp.Serving;

/// <summary>How the completion server listens and how much work it takes at once.</summary>
public sealed record ServerOptions
{
    /// <summary>Address to listen on; loopback by default so nothing outside the machine can reach the model.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (the started server reports it).</summary>
    public int Port { get; init; } = 8000;

    /// <summary>Requests being generated at the same time; concurrent ones are what a batching generator merges.</summary>
    public int MaxConcurrentRequests { get; init; } = 32;

    /// <summary>Requests allowed to wait for a slot; beyond this the server answers 429 at once.</summary>
    public int MaxQueuedRequests { get; init; } = 256;

    /// <summary>Largest n (completions per prompt) one request may ask for.</summary>
    public int MaxN { get; init; } = 200;

    /// <summary>Largest max_tokens one request may ask for.</summary>
    public int MaxTokensLimit { get; init; } = 4096;
}
