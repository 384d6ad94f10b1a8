using CodexSharp.Core;
using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Model.Sampling;

/// <summary>The tokens of a text and log p(token i+1 | tokens 0..i) for each position after the first.</summary>
public sealed record SequenceScore(IReadOnlyList<int> Tokens, IReadOnlyList<double> LogProbs)
{
    public double SumLogProb => LogProbs.Sum();

    /// <summary>Mean over <see cref="LogProbs"/>; NaN for a single token, which has no log-probability.</summary>
    public double MeanLogProb => LogProbs.Count == 0 ? double.NaN : SumLogProb / LogProbs.Count;
}

/// <summary>Scores token sequences with one forward pass: the primitive for mean-log-prob ranking and perplexity.</summary>
internal static class SequenceScorer
{
    public static SequenceScore Score(GptModel model, IReadOnlyList<int> tokens)
    {
        if (tokens.Count == 0) throw new UserInputException("the text is empty: nothing to score");
        if (tokens.Count == 1)
        {
            CheckLength(model, tokens);
            return new SequenceScore(tokens, []);
        }
        return new SequenceScore(tokens, ScoreBatch(model, [(tokens, 1)])[0]);
    }

    /// <summary>
    /// log p(token i | tokens before it) for i ≥ From, for several sequences in one forward pass: they are padded
    /// on the right (causal attention never looks at later positions, so a pad changes nothing before it) and the
    /// head runs only at the scored positions.
    /// </summary>
    public static IReadOnlyList<double[]> ScoreBatch(GptModel model, IReadOnlyList<(IReadOnlyList<int> Tokens, int From)> sequences)
    {
        foreach (var (tokens, from) in sequences)
        {
            CheckLength(model, tokens);
            if (from < 1 || from > tokens.Count) throw new ArgumentOutOfRangeException(nameof(sequences), $"scored positions start at {from} of {tokens.Count}");
        }
        var length = sequences.Max(s => s.Tokens.Count);
        using var grad = inference_mode();
        using var scope = NewDisposeScope();
        var ids = tensor(sequences.SelectMany(s => s.Tokens.Select(t => (long)t).Concat(Enumerable.Repeat(0L, length - s.Tokens.Count))).ToArray())
            .view(sequences.Count, length); // (B, L)
        // Position p predicts token p + 1: row b's scored positions are b·L + From − 1 … b·L + count − 2.
        var positions = sequences.SelectMany((s, b) => Enumerable.Range(s.From - 1, s.Tokens.Count - s.From).Select(p => (long)b * length + p)).ToArray();
        var targets = sequences.SelectMany(s => s.Tokens.Skip(s.From).Select(t => (long)t)).ToArray();
        if (positions.Length == 0) return sequences.Select(_ => Array.Empty<double>()).ToList();
        var losses = model.TokenLoss(ids, null, null, tensor(targets), only: tensor(positions)); // (N)
        var all = losses.neg().to(ScalarType.Float64).data<double>().ToArray(); // log p = −loss
        var result = new List<double[]>(sequences.Count);
        var offset = 0;
        foreach (var (tokens, from) in sequences)
        {
            var count = tokens.Count - from;
            result.Add(all[offset..(offset + count)]);
            offset += count;
        }
        return result;
    }

    private static void CheckLength(GptModel model, IReadOnlyList<int> tokens)
    {
        if (tokens.Count > model.Config.Context)
        {
            throw new UserInputException($"the text is {tokens.Count} tokens but the model's context is {model.Config.Context}");
        }
    }
}
