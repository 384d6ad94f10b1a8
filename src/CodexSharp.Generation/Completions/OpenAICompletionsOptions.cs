using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Completions;

/// <summary>
/// How to reach an OpenAI-compatible text completions server (vLLM, llama.cpp's server, TGI, LM Studio,
/// OpenAI, our own <c>codexsharp serve</c>). Null fields mean "whatever the server does by default".
/// The API key is not part of the options, so that options can be written next to samples.
/// </summary>
public sealed record OpenAICompletionsOptions
{
    /// <summary>The server's base address, e.g. http://127.0.0.1:8000/v1 (a missing /v1 is added).</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The model name the server knows the model by.</summary>
    public required string Model { get; init; }

    /// <summary>Most choices one request may ask for; more are split over several requests and merged.
    /// Null: no known cap (a server that returns fewer choices than asked teaches the generator its cap).</summary>
    public int? MaxChoicesPerRequest { get; init; }

    /// <summary>Most stop sequences the server accepts (OpenAI: 4); null sends them all. The client applies
    /// every stop sequence to the text anyway.</summary>
    public int? MaxStopSequences { get; init; }

    /// <summary>How long one HTTP request may take before it counts as a (retryable) timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The /v1/completions address derived from <see cref="Endpoint"/>.</summary>
    public Uri CompletionsUrl => OpenAIBaseUrl.Endpoint(Endpoint, "completions");
}
