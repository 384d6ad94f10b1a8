namespace CodexSharp.Generation;

/// <summary>What a backend fault means for the run (see <see cref="BackendErrors"/> for which fault is which).</summary>
public enum BackendFaultKind
{
    /// <summary>Worth retrying now: HTTP 408, 429, 5xx, timeouts, refused or dropped connections, malformed replies.</summary>
    Transient,
    /// <summary>A transient fault that outlasted every retry: the run stops, and running it again later may succeed.</summary>
    RetriesExhausted,
    /// <summary>The server refused this one request for what it asked (a prompt longer than the model's context):
    /// the task fails to generate and the run goes on.</summary>
    RequestRejected,
    /// <summary>The backend cannot serve the run as configured, and asking again will not change that.</summary>
    Permanent,
}

/// <summary>
/// A model backend did not give a usable answer; <see cref="Kind"/> says whether to retry, skip the task or stop.
/// A mistake the user can fix in the command (wrong key, wrong model name, a parameter the server refuses) is a
/// <see cref="Core.UserInputException"/> instead.
/// </summary>
public sealed class GenerationBackendException(string message, BackendFaultKind kind, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public BackendFaultKind Kind { get; } = kind;

    /// <summary>True when retrying now may help.</summary>
    public bool IsTransient => Kind == BackendFaultKind.Transient;

    /// <summary>How long the server asked us to wait (Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
