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
        if (tokens.Count > model.Config.Context)
        {
            throw new UserInputException($"the text is {tokens.Count} tokens but the model's context is {model.Config.Context}");
        }
        if (tokens.Count == 1) return new SequenceScore(tokens, []);
        using var grad = inference_mode();
        using var scope = NewDisposeScope();
        var ids = tensor(tokens.Select(t => (long)t).ToArray()).view(1, tokens.Count); // (1, T)
        var logits = model.Forward(ids); // (1, T, V)
        var logProbs = logits.narrow(1, 0, tokens.Count - 1).log_softmax(2); // (1, T-1, V)
        var next = ids.narrow(1, 1, tokens.Count - 1).unsqueeze(2); // (1, T-1, 1)
        var chosen = logProbs.gather(2, next).view(tokens.Count - 1); // (T-1)
        return new SequenceScore(tokens, chosen.to(ScalarType.Float64).data<double>().ToArray());
    }
}
