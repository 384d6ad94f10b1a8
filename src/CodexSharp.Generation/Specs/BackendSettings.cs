using CodexSharp.Core.Generation;
using CodexSharp.Generation.Resilience;

namespace CodexSharp.Generation.Specs;

/// <summary>
/// Settings that apply to whichever server backend a <see cref="ModelSpec"/> names: the key's environment
/// variable, timeouts, retries and rate limits. Backend-specific settings live in each backend's options.
/// </summary>
public sealed record BackendSettings
{
    /// <summary>The environment variable that holds the API key. Keys are never read from flags or files.</summary>
    public string ApiKeyVariable { get; init; } = "OPENAI_API_KEY";

    /// <summary>How long one request may take before it is retried as a timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Retries of transient faults.</summary>
    public RetryOptions Retry { get; init; } = new();

    /// <summary>Requests per minute at most; null means no limit (local servers).</summary>
    public double? RequestsPerMinute { get; init; }

    /// <summary>Most choices per completions request; null: no known cap (OpenAI's own API: 128).</summary>
    public int? MaxChoicesPerRequest { get; init; }
}
