namespace CodexSharp.Generation;

/// <summary>
/// A model backend did not give a usable answer. <see cref="IsTransient"/> faults (HTTP 429 and 5xx,
/// timeouts, refused or dropped connections, malformed replies) are worth retrying; the others are not.
/// A mistake the user can fix (wrong key, wrong model name) is a <see cref="Core.UserInputException"/> instead.
/// </summary>
public sealed class GenerationBackendException : Exception
{
    public GenerationBackendException(string message, bool isTransient, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        IsTransient = isTransient;
        RetryAfter = retryAfter;
    }

    public bool IsTransient { get; }

    /// <summary>How long the server asked us to wait (Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
