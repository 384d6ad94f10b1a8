namespace CodexSharp.Core.Metrics;

/// <summary>The unbiased pass@k estimator of Chen et al. (2021), Eq. 1.</summary>
public static class PassAtK
{
    /// <summary>
    /// pass@k for one problem with <paramref name="n"/> samples of which <paramref name="c"/> passed:
    /// <c>1 − C(n−c, k) / C(n, k)</c>, computed without binomials as
    /// <c>1 − ∏_{i=n−c+1..n} (1 − k/i)</c>, and 1 when <c>n − c &lt; k</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unless 0 ≤ c ≤ n and 1 ≤ k ≤ n.</exception>
    public static double Estimate(int n, int c, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(c, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        if (n - c < k) return 1.0;
        var allFail = 1.0;
        for (var i = n - c + 1; i <= n; i++) allFail *= 1.0 - (double)k / i;
        return 1.0 - allFail;
    }

    /// <summary>
    /// The biased estimator <c>1 − (1 − c/n)^k</c> (App. A): it always underestimates. Kept for comparison only.
    /// </summary>
    public static double Naive(int n, int c, int k) => 1.0 - Math.Pow(1.0 - (double)c / n, k);

    /// <summary>Mean pass@k over problems, each given as (samples, passed).</summary>
    public static double Mean(IReadOnlyList<(int N, int C)> problems, int k)
    {
        if (problems.Count == 0) return double.NaN;
        var sum = 0.0;
        foreach (var (n, c) in problems) sum += Estimate(n, c, k);
        return sum / problems.Count;
    }
}
