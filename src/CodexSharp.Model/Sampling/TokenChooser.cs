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
/// Picks the next token of every row at once. Temperature scales the logits, then top-k and top-p (nucleus) cut the
/// distribution exactly (<see cref="NucleusSelection"/>), and the token is found by inverse CDF in id order with a
/// uniform number the caller draws from the row's own seeded generator — so a row's result depends only on its own
/// logits, settings and seed, never on which other rows share the batch. The log-probability returned is under the
/// untempered, uncut distribution: logit − logsumexp(logits).
/// </summary>
internal static class TokenChooser
{
    /// <param name="logits">(B, V) float32.</param>
    /// <param name="uniforms">One number in [0, 1) per row (ignored for greedy rows).</param>
    /// <returns>Chosen ids and their log-probabilities, one per row.</returns>
    public static (long[] Tokens, float[] LogProbs) Choose(Tensor logits, IReadOnlyList<RowSampling> rows, double[] uniforms)
    {
        using var scope = NewDisposeScope();
        var batch = rows.Count;
        var vocabulary = (int)logits.shape[1];
        var scores = logits.contiguous(); // (B, V)
        var chosen = rows.Any(r => r.Greedy) ? scores.argmax(1).data<long>().ToArray() : new long[batch];
        if (!rows.All(r => r.Greedy))
        {
            var temperatures = tensor(rows.Select(r => r.Greedy ? 1f : (float)r.Temperature).ToArray()).view(batch, 1); // (B, 1)
            var probs = scores.div(temperatures).softmax(1); // (B, V)
            var address = Address(probs);
            // Rows are independent: spread them over the cores (about 0.15 ms each for a 50k vocabulary).
            Parallel.For(0, batch, row =>
            {
                if (rows[row].Greedy) return;
                chosen[row] = NucleusSelection.Sample(Row(address, row, vocabulary), rows[row].TopP, rows[row].TopK, uniforms[row]);
            });
        }
        // A reduction with a single output is split across threads, which sums in another order than one output per
        // row does; a lone row is reduced beside a copy of itself so that its log-probabilities match a batch's bit
        // for bit.
        var normalisers = (batch == 1 ? scores.expand(2, vocabulary).contiguous() : scores).logsumexp(1).data<float>().ToArray(); // (B) or (2)
        var logitsAddress = Address(scores);
        var logProbs = new float[batch];
        for (var row = 0; row < batch; row++) logProbs[row] = Row(logitsAddress, row, vocabulary)[(int)chosen[row]] - normalisers[row];
        return (chosen, logProbs);
    }

    /// <summary>Where a contiguous float32 tensor's data starts: rows are read in place, without a copy.</summary>
    private static unsafe nint Address(Tensor contiguous) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(contiguous.bytes));

    private static unsafe ReadOnlySpan<float> Row(nint address, int row, int vocabulary) =>
        new((float*)address + (long)row * vocabulary, vocabulary);
}
