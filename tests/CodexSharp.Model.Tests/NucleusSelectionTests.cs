using CodexSharp.Model.Sampling;

namespace CodexSharp.Model.Tests;

public sealed class NucleusSelectionTests
{
    /// <summary>
    /// The nucleus the slow way: sort, keep tokens until their mass reaches p, take the k-th largest for top-k; the
    /// cut is the larger of the two probabilities and every token at or above it stays (ties at the cut included).
    /// The token is then found by inverse CDF over the kept tokens in id order.
    /// </summary>
    private static int ReferenceSample(float[] probs, double topP, int topK, double uniform)
    {
        var sorted = probs.OrderByDescending(p => p).ToList();
        var massCut = 0f;
        if (topP < 1)
        {
            double mass = 0;
            foreach (var p in sorted)
            {
                mass += p;
                massCut = p;
                if (mass >= topP) break;
            }
        }
        var rankCut = topK > 0 && topK < probs.Length ? sorted[topK - 1] : 0f;
        var cut = Math.Max(massCut, rankCut);
        var kept = Enumerable.Range(0, probs.Length).Where(id => probs[id] >= cut).ToList();
        var target = uniform * kept.Sum(id => (double)probs[id]);
        double cumulative = 0;
        foreach (var id in kept)
        {
            cumulative += probs[id];
            if (cumulative > target) return id;
        }
        return kept[^1];
    }

    [Fact]
    public void Matches_a_sorting_reference_on_random_distributions()
    {
        var random = new Random(42);
        for (var trial = 0; trial < 300; trial++)
        {
            var size = random.Next(2, 3000);
            // Mixtures of flat and peaked rows, with exact ties now and then.
            var raw = Enumerable.Range(0, size).Select(_ => trial % 3 == 0 ? Math.Round(random.NextDouble(), 1) + 1e-3 : Math.Exp(6 * random.NextDouble())).ToArray();
            var total = raw.Sum();
            var probs = raw.Select(v => (float)(v / total)).ToArray();
            var topP = trial % 4 == 0 ? 1.0 : random.NextDouble();
            var topK = trial % 5 == 0 ? random.Next(1, size + 1) : 0;
            var uniform = random.NextDouble();
            Assert.Equal(ReferenceSample(probs, topP, topK, uniform), NucleusSelection.Sample(probs, topP, topK, uniform));
        }
    }

    [Fact]
    public void Matches_the_reference_on_vocabulary_sized_rows_flat_and_peaked()
    {
        // A random model's logits are nearly flat (thousands of tokens share each coarse bucket); a trained model's
        // are peaked. Both shapes, at p50k's size, with the paper's nucleus and with top-k.
        var random = new Random(7);
        foreach (var spread in new[] { 0.02, 0.5, 4.0 })
        {
            for (var trial = 0; trial < 4; trial++)
            {
                var logits = Enumerable.Range(0, 50281).Select(_ => spread * Normal(random)).ToArray();
                var max = logits.Max();
                var total = logits.Sum(l => Math.Exp(l - max));
                var probs = logits.Select(l => (float)(Math.Exp(l - max) / total)).ToArray();
                var topK = trial == 3 ? 40 : 0;
                var uniform = random.NextDouble();
                Assert.Equal(ReferenceSample(probs, 0.95, topK, uniform), NucleusSelection.Sample(probs, 0.95, topK, uniform));
            }
        }
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Thresholds_are_exact_on_a_hand_made_row()
    {
        float[] probs = [0.1f, 0.4f, 0.05f, 0.3f, 0.15f];
        Assert.Equal(0.3f, NucleusSelection.MassThreshold(probs, 0.6));
        Assert.Equal(0.4f, NucleusSelection.MassThreshold(probs, 0.4));
        Assert.Equal(0.15f, NucleusSelection.MassThreshold(probs, 0.8));
        Assert.Equal(0f, NucleusSelection.MassThreshold(probs, 1.0));
        Assert.Equal(0.3f, NucleusSelection.RankThreshold(probs, 2));
        Assert.Equal(0.1f, NucleusSelection.RankThreshold(probs, 4));
        Assert.Equal(0f, NucleusSelection.RankThreshold(probs, 5));
        // Kept {0.4, 0.3} → u = 0.5 lands at 0.35: id 1 (0.4) comes first in id order.
        Assert.Equal(1, NucleusSelection.Sample(probs, 0.6, 0, 0.5));
        Assert.Equal(3, NucleusSelection.Sample(probs, 0.6, 0, 0.9));
    }
}
