using System.Text.Json.Serialization;
using CodexSharp.Core.Generation;

namespace CodexSharp.Serving;

/// <summary>The JSON shapes of OpenAI's legacy completions and models endpoints.</summary>
public static class CompletionResponses
{
    public sealed record Completion(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("object")] string Object,
        [property: JsonPropertyName("created")] long Created,
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("choices")] IReadOnlyList<Choice> Choices,
        [property: JsonPropertyName("usage")] Usage Usage);

    public sealed record Choice(
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("index")] int Index,
        [property: JsonPropertyName("logprobs")] LogProbs? LogProbs,
        [property: JsonPropertyName("finish_reason")] string FinishReason);

    /// <summary>Per-token log-probabilities of the chosen tokens; top_logprobs is not computed (null).</summary>
    public sealed record LogProbs(
        [property: JsonPropertyName("tokens")] IReadOnlyList<string> Tokens,
        [property: JsonPropertyName("token_logprobs")] IReadOnlyList<double> TokenLogProbs,
        [property: JsonPropertyName("top_logprobs")] object? TopLogProbs,
        [property: JsonPropertyName("text_offset")] IReadOnlyList<int> TextOffset);

    public sealed record Usage(
        [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
        [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
        [property: JsonPropertyName("total_tokens")] int TotalTokens);

    public sealed record ModelList(
        [property: JsonPropertyName("object")] string Object,
        [property: JsonPropertyName("data")] IReadOnlyList<ModelCard> Data);

    public sealed record ModelCard(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("object")] string Object,
        [property: JsonPropertyName("created")] long Created,
        [property: JsonPropertyName("owned_by")] string OwnedBy);

    public static LogProbs ToLogProbs(IReadOnlyList<TokenLogProb> tokens, int promptLength)
    {
        var offsets = new List<int>(tokens.Count);
        var offset = promptLength;
        foreach (var token in tokens)
        {
            offsets.Add(offset);
            offset += token.Token.Length;
        }
        return new LogProbs(tokens.Select(t => t.Token).ToList(), tokens.Select(t => t.LogProb).ToList(), null, offsets);
    }
}
