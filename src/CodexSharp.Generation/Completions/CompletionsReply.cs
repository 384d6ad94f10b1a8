using System.Text.Json;
using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Completions;

/// <summary>
/// Reads a /v1/completions response body into completions, ordered by choice index. Tolerates what real
/// servers do: no logprobs, null finish reasons, and echoing the prompt in front of the text.
/// </summary>
public static class CompletionsReply
{
    /// <exception cref="GenerationBackendException">The body is not a completions response (transient: a
    /// proxy or a dying server can send one bad body).</exception>
    public static IReadOnlyList<GeneratedCompletion> Parse(string body, string prompt, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw Malformed(source, "is not valid JSON", body);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Malformed(source, "is not a JSON object", body);
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                var error = HttpErrorText.FromJson(root);
                throw error is null ? Malformed(source, "has no 'choices' array", body)
                    : new GenerationBackendException($"{source} answered with an error: {error}", BackendFaultKind.Transient);
            }
            var parsed = new List<(int Index, GeneratedCompletion Completion)>();
            var position = 0;
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind != JsonValueKind.Object || !choice.TryGetProperty("text", out var textElement) || textElement.ValueKind != JsonValueKind.String)
                    throw Malformed(source, $"has a choice without a 'text' string (choice {position})", body);
                var index = choice.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : position;
                var finish = choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "stop";
                var text = textElement.GetString()!;
                var tokens = ReadTokens(choice);
                var echoed = prompt.Length > 0 && text.StartsWith(prompt, StringComparison.Ordinal);
                if (echoed)
                {
                    text = text[prompt.Length..];
                    tokens = tokens is null ? null : DropPromptTokens(choice, tokens, prompt.Length);
                }
                parsed.Add((index, new GeneratedCompletion(text, finish, tokens)));
                position++;
            }
            return parsed.OrderBy(p => p.Index).Select(p => p.Completion).ToList();
        }
    }

    private static List<TokenLogProb>? ReadTokens(JsonElement choice)
    {
        if (!choice.TryGetProperty("logprobs", out var logprobs) || logprobs.ValueKind != JsonValueKind.Object) return null;
        if (!logprobs.TryGetProperty("tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Array) return null;
        if (!logprobs.TryGetProperty("token_logprobs", out var values) || values.ValueKind != JsonValueKind.Array) return null;
        var list = new List<TokenLogProb>(tokens.GetArrayLength());
        var valueList = values.EnumerateArray().ToList();
        var k = 0;
        foreach (var token in tokens.EnumerateArray())
        {
            var value = k < valueList.Count && valueList[k].ValueKind == JsonValueKind.Number ? valueList[k].GetDouble() : double.NaN;
            list.Add(new TokenLogProb(token.ValueKind == JsonValueKind.String ? token.GetString()! : "", value));
            k++;
        }
        return list;
    }

    /// <summary>With echo, the first tokens spell the prompt: drop them, by text offset when the server gives offsets.</summary>
    private static List<TokenLogProb> DropPromptTokens(JsonElement choice, List<TokenLogProb> tokens, int promptLength)
    {
        var logprobs = choice.GetProperty("logprobs");
        if (logprobs.TryGetProperty("text_offset", out var offsets) && offsets.ValueKind == JsonValueKind.Array && offsets.GetArrayLength() == tokens.Count)
        {
            var kept = new List<TokenLogProb>();
            var k = 0;
            foreach (var offset in offsets.EnumerateArray())
            {
                if (offset.ValueKind == JsonValueKind.Number && offset.GetInt32() >= promptLength) kept.Add(tokens[k]);
                k++;
            }
            return kept;
        }
        var consumed = 0;
        var first = 0;
        while (first < tokens.Count && consumed < promptLength) consumed += tokens[first++].Token.Length;
        return tokens.GetRange(first, tokens.Count - first);
    }

    private static GenerationBackendException Malformed(string source, string what, string body) => BackendErrors.Malformed(source, what, body);
}
