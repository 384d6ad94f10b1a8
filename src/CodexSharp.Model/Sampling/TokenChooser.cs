using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CodexSharp.Model.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Sampling;

/// <summary>How one row picks its next token.</summary>
/// <param name="Temperature">Below <see cref="GreedyBelow"/> (0 included) means greedy (argmax).</param>
/// <param name="TopP">Nucleus mass in (0, 1]; 1 keeps every token.</param>
/// <param name="TopK">Keep the k most likely tokens; 0 means no cut.</param>
internal readonly record struct RowSampling(double Temperature, double TopP, int TopK)
{
    /// <summary>
    /// Temperatures below this decode greedily. Scaling float32 logits by 1/T overflows for T near 1e-38, and
    /// long before that the distribution is argmax's: at T = 1e-5 two logits 1e-3 apart have odds of e^-100.
    /// </summary>
    public const double GreedyBelow = 1e-5;

    public bool Greedy => !(Temperature >= GreedyBelow);
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

    /// <summary>
    /// The same choice from a frequent-token head's S + 1 logits (<see cref="FrequentHead"/>), without forming the
    /// (B, V) distribution. Tempering keeps the bucket's mass that of its V − S members: its tempered logit is
    /// (z − L)/T + L, L = log(V − S). Each member has probability q = P(bucket)/(V − S); when the frequent ids above q
    /// already fill the top-p (and top-k) cut — always, for a trained model at top-p 0.95 — no member is in the nucleus
    /// and the nucleus, the inverse CDF in id order and so the token are those of the full distribution, computed over
    /// S ids. Any other row (a flat distribution, or no cut at all) is expanded to its V probabilities and chosen there.
    /// Log-probabilities: logsumexp over the S + 1 rows equals that over V ids.
    /// </summary>
    /// <param name="logits">(B, S + 1) float32.</param>
    public static (long[] Tokens, float[] LogProbs) Choose(Tensor logits, IReadOnlyList<RowSampling> rows, double[] uniforms, FrequentHead head)
    {
        using var scope = NewDisposeScope();
        var batch = rows.Count;
        var width = (int)logits.shape[1];
        var frequentCount = width - 1;
        var scores = logits.contiguous(); // (B, S + 1)
        var chosen = new long[batch];
        var scoresAddress = Address(scores);
        var rareLog = head.RareLogCount;
        if (!rows.All(r => r.Greedy))
        {
            var temperatures = rows.Select(r => r.Greedy ? 1.0 : r.Temperature).ToArray();
            var inverse = tensor(temperatures.Select(t => (float)(1 / t)).ToArray()).view(batch, 1); // (B, 1)
            var bucketShift = zeros(batch, width);
            bucketShift.narrow(1, frequentCount, 1).copy_(tensor(temperatures.Select(t => (float)(rareLog - rareLog / t)).ToArray()).view(batch, 1));
            var probs = scores.mul(inverse).add_(bucketShift).softmax(1); // (B, S + 1)
            var address = Address(probs);
            Parallel.For(0, batch, row =>
            {
                var sampling = rows[row];
                if (sampling.Greedy) return;
                var all = Row(address, row, width);
                var frequent = all[..frequentCount];
                var member = all[frequentCount] / head.RareCount;
                var threshold = NucleusSelection.Threshold(frequent, sampling.TopP, sampling.TopK);
                var kept = NucleusSelection.KeptMass(frequent, threshold);
                var truncated = sampling.TopP < 1 || sampling.TopK > 0;
                var cutAboveMembers = truncated && threshold > member && (sampling.TopP >= 1 || kept >= sampling.TopP);
                chosen[row] = cutAboveMembers
                    ? head.Ids[NucleusSelection.Draw(frequent, threshold, kept, uniforms[row])]
                    : NucleusSelection.Sample(Expand(all, head), sampling.TopP, sampling.TopK, uniforms[row]);
            });
        }
        var normalisers = (batch == 1 ? scores.expand(2, width).contiguous() : scores).logsumexp(1).data<float>().ToArray(); // (B) or (2)
        var logProbs = new float[batch];
        for (var row = 0; row < batch; row++)
        {
            var all = Row(scoresAddress, row, width);
            var rareLogit = all[frequentCount] - (float)rareLog;
            if (rows[row].Greedy)
            {
                var best = 0;
                for (var i = 1; i < frequentCount; i++) if (all[i] > all[best]) best = i;
                // argmax over every id takes the first of equal maxima: the smallest rare id if the members win or tie lower.
                chosen[row] = rareLogit > all[best] || (rareLogit == all[best] && head.FirstRareId < head.Ids[best]) ? head.FirstRareId : head.Ids[best];
            }
            var index = Array.BinarySearch(head.Ids, (int)chosen[row]);
            logProbs[row] = (index >= 0 ? all[index] : rareLogit) - normalisers[row];
        }
        return (chosen, logProbs);
    }

    /// <summary>A head row's probabilities over every id: each frequent id its own, each other id an even share of the bucket.</summary>
    private static float[] Expand(ReadOnlySpan<float> headProbs, FrequentHead head)
    {
        var full = new float[head.VocabularySize];
        Array.Fill(full, headProbs[^1] / head.RareCount);
        for (var i = 0; i < head.Ids.Length; i++) full[head.Ids[i]] = headProbs[i];
        return full;
    }

    /// <summary>Where a contiguous float32 tensor's data starts: rows are read in place, without a copy.</summary>
    private static unsafe nint Address(Tensor contiguous) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(contiguous.bytes));

    private static unsafe ReadOnlySpan<float> Row(nint address, int row, int vocabulary) =>
        new((float*)address + (long)row * vocabulary, vocabulary);
}
