using CodexSharp.Core.Metrics;
using CodexSharp.Reporting.Metrics;

namespace CodexSharp.Reporting.Tests;

public sealed class RankedPassAtKTests
{
    /// <summary>
    /// The definition, enumerated: every size-k subset is equally likely; in each, the samples tied for the
    /// highest score are equally likely to be kept, so the subset contributes the share of them that pass.
    /// Returns the value for every k = 1..n (index k − 1).
    /// </summary>
    private static double[] BruteForce(IReadOnlyList<ScoredSample> samples)
    {
        var n = samples.Count;
        var total = new double[n + 1];
        var subsets = new int[n + 1];
        for (var mask = 1; mask < 1 << n; mask++)
        {
            var k = System.Numerics.BitOperations.PopCount((uint)mask);
            var best = double.NegativeInfinity;
            for (var i = 0; i < n; i++)
                if ((mask & (1 << i)) != 0) best = Math.Max(best, samples[i].Score);
            int top = 0, topPassing = 0;
            for (var i = 0; i < n; i++)
            {
                if ((mask & (1 << i)) == 0 || samples[i].Score != best) continue;
                top++;
                if (samples[i].Passed) topPassing++;
            }
            total[k] += (double)topPassing / top;
            subsets[k]++;
        }
        return Enumerable.Range(1, n).Select(k => total[k] / subsets[k]).ToArray();
    }

    [Fact]
    public void Equals_brute_force_enumeration_on_random_small_cases_with_ties()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = random.Next(1, 11);
            var distinctScores = random.Next(1, 5); // few distinct values: many ties
            var samples = Enumerable.Range(0, n)
                .Select(_ => new ScoredSample(random.Next(distinctScores) - 1.5, random.NextDouble() < 0.4)).ToList();
            var curve = RankedPassAtK.Curve(samples);
            var expected = BruteForce(samples);
            for (var k = 1; k <= n; k++)
            {
                Assert.Equal(expected[k - 1], RankedPassAtK.Estimate(samples, k), 12);
                Assert.Equal(expected[k - 1], curve[k - 1], 12);
            }
        }
    }

    [Fact]
    public void A_hand_worked_case_with_a_tie_at_the_top()
    {
        // Scores 3 (fails), 3 (passes), 1 (passes), 0 (fails); k = 2 of C(4,2) = 6 subsets.
        // {3f,3p}: ½; {3f,1p}: 0; {3f,0f}: 0; {3p,1p}: 1; {3p,0f}: 1; {1p,0f}: 1 → 3.5 / 6.
        ScoredSample[] samples = [new(3, false), new(3, true), new(1, true), new(0, false)];
        Assert.Equal(3.5 / 6, RankedPassAtK.Estimate(samples, 2), 12);
    }

    [Fact]
    public void All_scores_tied_is_random_choice_and_the_pass_flag_as_score_is_pass_at_k()
    {
        var passed = new[] { true, false, false, true, false, false, false, true, false, false, false, false };
        var tied = passed.Select(p => new ScoredSample(0, p)).ToList();
        var oracle = passed.Select(p => new ScoredSample(p ? 1 : 0, p)).ToList();
        for (var k = 1; k <= passed.Length; k++)
        {
            Assert.Equal(3.0 / 12, RankedPassAtK.Estimate(tied, k), 12);
            Assert.Equal(PassAtK.Estimate(12, 3, k), RankedPassAtK.Estimate(oracle, k), 12);
        }
    }

    [Fact]
    public void Stays_finite_and_exact_at_n_equal_to_200()
    {
        var samples = Enumerable.Range(0, 200).Select(i => new ScoredSample(i % 17, i % 5 == 0)).ToList();
        var curve = RankedPassAtK.Curve(samples);
        Assert.All(curve, v => Assert.InRange(v, 0.0, 1.0));
        // k = n draws every sample: the best score is 16, held by i ≡ 16 (mod 17); of those, i ≡ 0 (mod 5) pass.
        var top = Enumerable.Range(0, 200).Where(i => i % 17 == 16).ToList();
        Assert.Equal((double)top.Count(i => i % 5 == 0) / top.Count, curve[199], 12);
    }
}
