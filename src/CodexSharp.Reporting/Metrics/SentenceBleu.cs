using System.Text.RegularExpressions;

namespace CodexSharp.Reporting.Metrics;

/// <summary>
/// Sentence-level BLEU-4 of one program against one reference (Papineni et al. 2002), on code tokens, with
/// smoothing method 1 of Chen &amp; Cherry (2014): an n-gram order with no match counts ε = 0.1 matches instead of 0.
/// </summary>
/// <remarks>
/// <c>BLEU = BP · exp(¼ Σ_{n=1..4} ln p_n)</c>, where <c>p_n</c> is the clipped n-gram precision (each n-gram of
/// the candidate counts at most as often as it occurs in the reference) and <c>BP = 1</c> when the candidate is
/// longer than the reference, else <c>exp(1 − r/c)</c>. A precision whose clipped match count is 0 becomes
/// <c>ε / (candidate n-grams of that order)</c>; an order for which the candidate has no n-gram at all (fewer than n
/// tokens) also counts as ε / 1. As in NLTK's sentence_bleu, a candidate with no unigram in common with the
/// reference (or an empty one) scores 0.
/// Tokens are identifiers, numbers and single other non-blank characters, so that layout does not count.
/// </remarks>
public static partial class SentenceBleu
{
    /// <summary>The matches an n-gram order with none is given (Chen &amp; Cherry's method 1).</summary>
    public const double Epsilon = 0.1;

    public const int MaxOrder = 4;

    /// <summary>BLEU-4 in [0, 1] of <paramref name="candidate"/> against <paramref name="reference"/>, both source code.</summary>
    public static double Score(string candidate, string reference) => Score(Tokenize(candidate), Tokenize(reference));

    /// <summary>BLEU-4 of two token sequences.</summary>
    public static double Score(IReadOnlyList<string> candidate, IReadOnlyList<string> reference)
    {
        if (candidate.Count == 0) return 0.0;
        var logSum = 0.0;
        for (var order = 1; order <= MaxOrder; order++)
        {
            var candidateGrams = Count(candidate, order);
            var referenceGrams = Count(reference, order);
            var total = Math.Max(0, candidate.Count - order + 1);
            var matched = candidateGrams.Sum(g => Math.Min(g.Value, referenceGrams.GetValueOrDefault(g.Key)));
            if (order == 1 && matched == 0) return 0.0;
            var precision = matched > 0 ? (double)matched / total : Epsilon / Math.Max(total, 1);
            logSum += Math.Log(precision);
        }
        var c = candidate.Count;
        var r = reference.Count;
        var brevity = c > r ? 1.0 : Math.Exp(1.0 - (double)r / c);
        return brevity * Math.Exp(logSum / MaxOrder);
    }

    /// <summary>Code tokens: identifiers, numbers, and every other non-blank character on its own.</summary>
    public static IReadOnlyList<string> Tokenize(string code) => TokenPattern().Matches(code).Select(m => m.Value).ToList();

    private static Dictionary<string, int> Count(IReadOnlyList<string> tokens, int order)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i + order <= tokens.Count; i++)
        {
            var gram = string.Join('\u0001', tokens.Skip(i).Take(order));
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z_0-9]*|[0-9]+(?:\.[0-9]+)?|\S")]
    private static partial Regex TokenPattern();
}
