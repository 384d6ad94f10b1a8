namespace CodexSharp.Reporting.Metrics;

/// <summary>One sample of a problem as a ranking sees it: its score (higher is ranked first) and whether it passed.</summary>
public readonly record struct ScoredSample(double Score, bool Passed);

/// <summary>
/// Ranked pass@1 (Chen et al. 2021, Fig. 7): draw k of a problem's n samples uniformly at random, keep the one
/// with the highest score, and ask whether it passes. Computed exactly, by combinatorics rather than simulation.
/// </summary>
/// <remarks>
/// Sort the samples by score and group equal scores. Take a group G of g samples, c_G of them passing, with a
/// samples scored strictly higher. The kept sample comes from G exactly when the k drawn avoid those a samples
/// and include at least one of G, which happens for <c>C(n−a, k) − C(n−a−g, k)</c> of the <c>C(n, k)</c>
/// subsets. Given that, whichever members of G were drawn, a tie broken uniformly at random keeps each member
/// of G with the same probability (by symmetry), so the kept one passes with probability <c>c_G / g</c>. Hence
/// <c>P = Σ_G (c_G / g) · [C(n−a, k) − C(n−a−g, k)] / C(n, k)</c>. With every score tied this is <c>c / n</c>
/// (random choice); with the score "passed" it is pass@k (the oracle). Binomial ratios are taken in log space.
/// </remarks>
public static class RankedPassAtK
{
    /// <summary>The probability that the top-scored of k random samples passes, for one problem.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 1 ≤ k ≤ n.</exception>
    public static double Estimate(IReadOnlyList<ScoredSample> samples, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, samples.Count);
        return Estimate(Groups(samples), samples.Count, k, LogFactorials(samples.Count));
    }

    /// <summary>The estimate for every k = 1..n at once.</summary>
    public static double[] Curve(IReadOnlyList<ScoredSample> samples)
    {
        var n = samples.Count;
        var groups = Groups(samples);
        var lnFactorial = LogFactorials(n);
        var curve = new double[n];
        for (var k = 1; k <= n; k++) curve[k - 1] = Estimate(groups, n, k, lnFactorial);
        return curve;
    }

    private static double Estimate(List<(int Above, int Size, int Passing)> groups, int n, int k, double[] lnFactorial)
    {
        double LogChoose(int m, int r) => lnFactorial[m] - lnFactorial[r] - lnFactorial[m - r];
        var lnTotal = LogChoose(n, k);
        double Ratio(int m) => m < k ? 0.0 : Math.Exp(LogChoose(m, k) - lnTotal); // C(m, k) / C(n, k)
        var probability = 0.0;
        foreach (var (above, size, passing) in groups)
        {
            if (passing == 0) continue;
            probability += (double)passing / size * (Ratio(n - above) - Ratio(n - above - size));
        }
        return Math.Clamp(probability, 0.0, 1.0);
    }

    /// <summary>Groups of equal score, best first: how many samples score higher, the group's size, and its passing count.</summary>
    private static List<(int Above, int Size, int Passing)> Groups(IReadOnlyList<ScoredSample> samples)
    {
        var sorted = samples.OrderByDescending(s => s.Score).ToArray();
        var groups = new List<(int, int, int)>();
        for (var start = 0; start < sorted.Length;)
        {
            var end = start;
            var passing = 0;
            for (; end < sorted.Length && sorted[end].Score.Equals(sorted[start].Score); end++)
                if (sorted[end].Passed) passing++;
            groups.Add((start, end - start, passing));
            start = end;
        }
        return groups;
    }

    private static double[] LogFactorials(int n)
    {
        var table = new double[n + 1];
        for (var i = 2; i <= n; i++) table[i] = table[i - 1] + Math.Log(i);
        return table;
    }
}
