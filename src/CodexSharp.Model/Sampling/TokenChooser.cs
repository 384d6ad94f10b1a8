using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Sampling;

/// <summary>How one row picks its next token.</summary>
/// <param name="Temperature">0 or less means greedy (argmax).</param>
/// <param name="TopP">Nucleus mass in (0, 1]; 1 keeps every token.</param>
/// <param name="TopK">Keep the k most likely tokens; 0 means no cut.</param>
internal readonly record struct RowSampling(double Temperature, double TopP, int TopK)
{
    public bool Greedy => Temperature <= 0;
}

/// <summary>
/// Picks the next token of every row at once. Temperature scales the logits, then top-k and top-p (nucleus) cut
/// the sorted distribution, and the token is found by inverse-CDF with a uniform number the caller draws from the
/// row's own seeded generator — so a row's result does not depend on which other rows share the batch. The
/// log-probability returned is under the untempered, uncut distribution, log softmax(logits).
/// </summary>
internal static class TokenChooser
{
    // Candidate counts tried before a full sort: a trained model's nucleus is usually far smaller than the vocabulary.
    private static readonly int[] CandidateCounts = [64, 1024];

    /// <param name="logits">(B, V) float32.</param>
    /// <param name="uniforms">One number in [0, 1) per row (ignored for greedy rows).</param>
    /// <returns>Chosen ids and their log-probabilities, one per row.</returns>
    public static (long[] Tokens, float[] LogProbs) Choose(Tensor logits, IReadOnlyList<RowSampling> rows, double[] uniforms)
    {
        using var scope = NewDisposeScope();
        var batch = rows.Count;
        var vocabulary = logits.shape[1];
        using var logProbs = logits.log_softmax(1); // (B, V)
        Tensor chosen; // (B, 1)
        if (rows.All(r => r.Greedy))
        {
            chosen = logits.argmax(1, keepdim: true);
        }
        else
        {
            using var temperatures = tensor(rows.Select(r => r.Greedy ? 1f : (float)r.Temperature).ToArray()).view(batch, 1); // (B, 1)
            using var probs = (logits / temperatures).softmax(1); // (B, V)
            var (sortedProbs, sortedIds) = SortedCandidates(probs, rows, vocabulary); // (B, K) each, descending
            var count = sortedProbs.shape[1];
            using var rank = arange(count, dtype: ScalarType.Int64).unsqueeze(0); // (1, K)
            using var topK = tensor(rows.Select(r => r.TopK > 0 ? (long)r.TopK : count).ToArray()).view(batch, 1); // (B, 1)
            using var topP = tensor(rows.Select(r => r.TopP >= 1 ? 2f : (float)r.TopP).ToArray()).view(batch, 1); // (B, 1); 2 disables the cut
            using var massBefore = sortedProbs.cumsum(1) - sortedProbs; // (B, K) mass of strictly more likely tokens
            // A token stays while fewer than k tokens and less than p of the mass come before it; the first always stays.
            using var cut = rank.ge(topK).logical_or(massBefore.ge(topP).logical_and(rank.gt(0))); // (B, K)
            using var kept = sortedProbs.masked_fill(cut, 0); // (B, K)
            using var cumulative = kept.cumsum(1); // (B, K)
            using var total = cumulative.narrow(1, count - 1, 1); // (B, 1)
            using var draws = tensor(uniforms.Select(u => (float)u).ToArray()).view(batch, 1) * total; // (B, 1)
            using var position = searchsorted(cumulative, draws, right: true).clamp_max(count - 1); // (B, 1)
            using var sampled = sortedIds.gather(1, position); // (B, 1)
            using var greedyRows = tensor(rows.Select(r => r.Greedy).ToArray()).view(batch, 1); // (B, 1)
            using var argmax = logits.argmax(1, keepdim: true); // (B, 1)
            chosen = where(greedyRows, argmax, sampled);
        }
        using var chosenLogProbs = logProbs.gather(1, chosen); // (B, 1)
        return (chosen.data<long>().ToArray(), chosenLogProbs.data<float>().ToArray());
    }

    /// <summary>The smallest sorted prefix of each row that holds its whole nucleus and top-k cut.</summary>
    private static (Tensor Probs, Tensor Ids) SortedCandidates(Tensor probs, IReadOnlyList<RowSampling> rows, long vocabulary)
    {
        foreach (var count in CandidateCounts)
        {
            if (count >= vocabulary) break;
            var (values, ids) = probs.topk(count, dim: 1, largest: true, sorted: true); // (B, K)
            using var mass = values.sum(1); // (B)
            var masses = mass.data<float>().ToArray();
            var enough = true;
            for (var row = 0; row < rows.Count && enough; row++)
            {
                var r = rows[row];
                enough = r.Greedy || (r.TopK > 0 && r.TopK <= count) || (r.TopP < 1 && masses[row] >= r.TopP);
            }
            if (enough) return (values, ids);
            values.Dispose();
            ids.Dispose();
        }
        var (sorted, order) = probs.sort(1, descending: true);
        return (sorted, order);
    }
}
