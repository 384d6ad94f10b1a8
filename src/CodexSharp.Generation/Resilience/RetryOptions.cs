namespace CodexSharp.Generation.Resilience;

/// <summary>How often and how patiently to retry transient backend faults (429, 5xx, timeouts, dropped connections).</summary>
public sealed record RetryOptions
{
    /// <summary>Retries after the first attempt; 0 turns retrying off.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Delay before the first retry; it doubles each time (with jitter).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>No single wait is longer than this, whatever the server's Retry-After says.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>What a retry decorator tells its observer before it waits and tries again.</summary>
public readonly record struct RetryNotice(int Attempt, TimeSpan Delay, string Reason);
