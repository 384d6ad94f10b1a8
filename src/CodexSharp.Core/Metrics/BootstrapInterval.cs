namespace CodexSharp.Core.Metrics;

/// <summary>A two-sided confidence interval.</summary>
public readonly record struct Interval(double Low, double High);

/// <summary>
/// Percentile bootstrap over problems: resample the problems with replacement, average their per-problem
/// scores, and take the (α/2, 1−α/2) quantiles of those means. It measures how much the score depends on
/// which problems the benchmark happens to contain — not the sampling noise within a problem.
/// </summary>
public static class BootstrapInterval
{
    /// <summary>The interval for the mean of <paramref name="perProblem"/>; deterministic for a given seed.</summary>
    public static Interval OfMean(IReadOnlyList<double> perProblem, double confidence = 0.95, int resamples = 10_000, int seed = 20210707)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confidence, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(confidence, 1.0);
        var count = perProblem.Count;
        if (count == 0) return new Interval(double.NaN, double.NaN);
        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < count; i++) sum += perProblem[random.Next(count)];
            means[r] = sum / count;
        }
        Array.Sort(means);
        var tail = (1.0 - confidence) / 2.0;
        return new Interval(Quantile(means, tail), Quantile(means, 1.0 - tail));
    }

    /// <summary>Linear-interpolated quantile of sorted values (the "type 7" definition of R and numpy).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
