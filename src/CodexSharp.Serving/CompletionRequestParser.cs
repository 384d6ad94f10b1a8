using System.Text.Json;
using CodexSharp.Core.Generation;

namespace CodexSharp.Serving;

/// <summary>A validated /v1/completions request.</summary>
/// <param name="Prompts">One or more prompts; each gets <paramref name="N"/> completions.</param>
/// <param name="N">Completions per prompt.</param>
/// <param name="Sampling">How to sample (OpenAI defaults where the request is silent).</param>
/// <param name="LogProbs">null when the client did not ask for log-probabilities.</param>
/// <param name="Model">The model the client named, or null when the body has no <c>model</c> (then the served model answers).</param>
public sealed record ParsedCompletionRequest(IReadOnlyList<string> Prompts, int N, SamplingOptions Sampling, int? LogProbs, string? Model);

/// <summary>
/// Reads an OpenAI legacy completions body. Defaults follow OpenAI's API (max_tokens 16, temperature 1, top_p 1,
/// n 1, no stop sequences), not the paper's protocol: a client gets what it would get from OpenAI.
/// </summary>
public static class CompletionRequestParser
{
    public static ParsedCompletionRequest Parse(JsonElement body, ServerOptions limits)
    {
        if (body.ValueKind != JsonValueKind.Object) throw ApiErrorException.Invalid("body", "the request body must be a JSON object");
        var prompts = ReadPrompts(body);
        var n = ReadInt(body, "n", 1, 1, limits.MaxN);
        var maxTokens = ReadInt(body, "max_tokens", 16, 0, limits.MaxTokensLimit);
        var temperature = ReadDouble(body, "temperature", 1.0, 0, 2);
        var topP = ReadDouble(body, "top_p", 1.0, 0, 1);
        if (topP <= 0) throw ApiErrorException.Invalid("top_p", "top_p must be greater than 0 and at most 1");
        int? topK = body.TryGetProperty("top_k", out var k) && k.ValueKind != JsonValueKind.Null ? ReadInt(body, "top_k", 0, 1, int.MaxValue) : null;
        long? seed = body.TryGetProperty("seed", out var s) && s.ValueKind != JsonValueKind.Null
            ? (s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var seedValue) ? seedValue : throw ApiErrorException.Invalid("seed", "seed must be an integer"))
            : null;
        int? logProbs = body.TryGetProperty("logprobs", out var lp) && lp.ValueKind != JsonValueKind.Null ? ReadInt(body, "logprobs", 0, 0, 5) : null;
        if (body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True) throw ApiErrorException.Invalid("stream", "streaming is not supported; send stream: false");
        if (body.TryGetProperty("echo", out var echo) && echo.ValueKind == JsonValueKind.True) throw ApiErrorException.Invalid("echo", "echo is not supported");
        if (body.TryGetProperty("best_of", out var bestOf) && bestOf.ValueKind == JsonValueKind.Number && !(bestOf.TryGetInt32(out var best) && best == n))
        {
            throw ApiErrorException.Invalid("best_of", "best_of is not supported (it must equal n)");
        }
        string? model = null;
        if (body.TryGetProperty("model", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            model = m.ValueKind == JsonValueKind.String ? Text(m, "model") : throw ApiErrorException.Invalid("model", "model must be a string");
        }
        var sampling = new SamplingOptions
        {
            Temperature = temperature,
            TopP = topP,
            TopK = topK,
            MaxTokens = maxTokens,
            Stop = ReadStop(body),
            Seed = seed,
            LogProbs = true,
        };
        return new ParsedCompletionRequest(prompts, n, sampling, logProbs, model);
    }

    private static List<string> ReadPrompts(JsonElement body)
    {
        if (!body.TryGetProperty("prompt", out var prompt)) throw ApiErrorException.Invalid("prompt", "prompt is required (a string or a list of strings)");
        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                return [Text(prompt, "prompt")];
            case JsonValueKind.Array when prompt.GetArrayLength() > 0 && prompt.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String):
                return prompt.EnumerateArray().Select(p => Text(p, "prompt")).ToList();
            case JsonValueKind.Array when prompt.GetArrayLength() > 0 && prompt.EnumerateArray().All(p => p.ValueKind is JsonValueKind.Number or JsonValueKind.Array):
                throw ApiErrorException.Invalid("prompt", "token-id prompts are not supported; send the prompt as text");
            default:
                throw ApiErrorException.Invalid("prompt", "prompt must be a string or a non-empty list of strings");
        }
    }

    private static List<string> ReadStop(JsonElement body)
    {
        if (!body.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null) return [];
        if (stop.ValueKind == JsonValueKind.String) return [Text(stop, "stop")];
        if (stop.ValueKind == JsonValueKind.Array && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) && stop.GetArrayLength() <= 16)
        {
            return stop.EnumerateArray().Select(s => Text(s, "stop")).Where(s => s.Length > 0).ToList();
        }
        throw ApiErrorException.Invalid("stop", "stop must be a string or a list of at most 16 strings");
    }

    /// <summary>A string field's text; a lone surrogate escape ("\ud800"), which is no character, is the client's error.</summary>
    private static string Text(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ApiErrorException.Invalid(name, $"{name} holds a lone UTF-16 surrogate escape, which is not a character; send valid Unicode");
        }
    }

    private static int ReadInt(JsonElement body, string name, int fallback, int min, int max)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return fallback;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number)) throw ApiErrorException.Invalid(name, $"{name} must be an integer");
        if (number < min || number > max) throw ApiErrorException.Invalid(name, $"{name} must be between {min} and {max}, got {number}");
        return number;
    }

    private static double ReadDouble(JsonElement body, string name, double fallback, double min, double max)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return fallback;
        if (value.ValueKind != JsonValueKind.Number) throw ApiErrorException.Invalid(name, $"{name} must be a number");
        var number = value.GetDouble();
        if (number < min || number > max) throw ApiErrorException.Invalid(name, $"{name} must be between {min} and {max}, got {number}");
        return number;
    }
}
