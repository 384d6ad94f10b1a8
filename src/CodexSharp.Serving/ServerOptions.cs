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

    /// <summary>
    /// Most new tokens the server takes on at once: the sum of prompts × n × max_tokens over the requests running and
    /// waiting. A request that would go over it is answered 429 <c>server_busy</c> at once, so a backlog stays a few
    /// minutes of work rather than growing with every client that queues; one request larger than this on its own is
    /// a 400. About 17 minutes of decoding at 1,000 tokens/s.
    /// </summary>
    public long MaxQueuedTokens { get; init; } = 1_000_000;

    /// <summary>
    /// The served model's context in tokens, when known: a prompt of this many tokens or more is answered 400
    /// <c>context_length_exceeded</c> (needs a generator that counts tokens). Null checks nothing.
    /// </summary>
    public int? ContextTokens { get; init; }

    /// <summary>The model's name in /v1/models and the answers, which clients put in <c>model</c>; null: the generator's own name.</summary>
    public string? ServedModelName { get; init; }

    /// <summary>Largest n (completions per prompt) one request may ask for.</summary>
    public int MaxN { get; init; } = 200;

    /// <summary>Largest max_tokens one request may ask for.</summary>
    public int MaxTokensLimit { get; init; } = 4096;
}
