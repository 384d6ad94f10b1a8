using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    // Candidate prefix tried before the O(V) path: a trained model's nucleus is usually far smaller than the vocabulary.
    private static readonly int[] CandidateCounts = [256];

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
            using var argmax = logits.argmax(1, keepdim: true); // (B, 1)
            using var greedyRows = tensor(rows.Select(r => r.Greedy).ToArray()).view(batch, 1); // (B, 1)
            var candidates = SortedCandidates(probs, rows, vocabulary);
            using var sampled = candidates is { } prefix ? SampleFromPrefix(prefix.Probs, prefix.Ids, rows, uniforms) : SampleFullRows(probs, rows, uniforms); // (B, 1)
            chosen = where(greedyRows, argmax, sampled);
        }
        using var chosenLogProbs = logProbs.gather(1, chosen); // (B, 1)
        return (chosen.data<long>().ToArray(), chosenLogProbs.data<float>().ToArray());
    }

    /// <summary>Inverse-CDF sampling over each row's sorted candidate prefix after the top-k and top-p cuts.</summary>
    /// <param name="sortedProbs">(B, K) descending.</param>
    /// <param name="sortedIds">(B, K) the ids of those probabilities.</param>
    /// <returns>(B, 1) chosen ids.</returns>
    private static Tensor SampleFromPrefix(Tensor sortedProbs, Tensor sortedIds, IReadOnlyList<RowSampling> rows, double[] uniforms)
    {
        using var scope = NewDisposeScope();
        var batch = rows.Count;
        var count = sortedProbs.shape[1];
        var rank = TorchScalars.Arange(0, count).unsqueeze(0); // (1, K)
        var topK = tensor(rows.Select(r => r.TopK > 0 ? (long)r.TopK : count).ToArray()).view(batch, 1); // (B, 1)
        var topP = tensor(rows.Select(r => r.TopP >= 1 ? 2f : (float)r.TopP).ToArray()).view(batch, 1); // (B, 1); 2 disables the cut
        var massBefore = sortedProbs.cumsum(1).sub(sortedProbs); // (B, K) mass of strictly more likely tokens
        // A token stays while fewer than k tokens and less than p of the mass come before it; the first always stays.
        var cut = rank.ge(topK).logical_or(massBefore.ge(topP).logical_and(rank.gt(TorchScalars.Zero))); // (B, K)
        var cumulative = sortedProbs.masked_fill(cut, TorchScalars.Zero).cumsum(1); // (B, K)
        var total = cumulative.narrow(1, count - 1, 1); // (B, 1)
        var draws = tensor(uniforms.Select(u => (float)u).ToArray()).view(batch, 1) * total; // (B, 1)
        using var lastIndex = (count - 1).ToScalar();
        var position = searchsorted(cumulative, draws, right: true).clamp_max(lastIndex); // (B, 1)
        var result = sortedIds.gather(1, position).MoveToOuterDisposeScope(); // (B, 1)
        sortedProbs.Dispose();
        sortedIds.Dispose();
        return result;
    }

    /// <summary>Rows whose nucleus is too wide for a sorted prefix: cut and sample on the CPU in O(V) per row.</summary>
    /// <param name="probs">(B, V) tempered probabilities.</param>
    /// <returns>(B, 1) chosen ids (greedy rows get 0; the caller takes their argmax).</returns>
    private static unsafe Tensor SampleFullRows(Tensor probs, IReadOnlyList<RowSampling> rows, double[] uniforms)
    {
        var vocabulary = (int)probs.shape[1];
        using var contiguous = probs.contiguous();
        // A view of the tensor's own memory: no copy (TensorAccessor.ToArray copies element by element).
        var all = MemoryMarshal.Cast<byte, float>(contiguous.bytes);
        var chosen = new long[rows.Count];
        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(all));
        // Rows are independent: spread them over the cores (each thread keeps its own histogram).
        Parallel.For(0, rows.Count, row =>
        {
            if (rows[row].Greedy) return;
            var span = new ReadOnlySpan<float>((float*)address + (long)row * vocabulary, vocabulary);
            chosen[row] = NucleusSelection.Sample(span, rows[row].TopP, rows[row].TopK, uniforms[row]);
        });
        return tensor(chosen).view(rows.Count, 1);
    }

    /// <summary>The smallest sorted prefix of each row that holds its whole nucleus and top-k cut, or null if a short one does not.</summary>
    private static (Tensor Probs, Tensor Ids)? SortedCandidates(Tensor probs, IReadOnlyList<RowSampling> rows, long vocabulary)
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
        return null;
    }
}
