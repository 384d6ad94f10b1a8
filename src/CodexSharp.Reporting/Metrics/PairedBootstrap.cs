using CodexSharp.Core.Metrics;

namespace CodexSharp.Reporting.Metrics;

/// <summary>The difference of two runs' means over the same problems, with its paired bootstrap interval.</summary>
public readonly record struct PairedDifference(double Difference, Interval Ci95, double ShareAtOrBelowZero);

/// <summary>
/// Paired percentile bootstrap over problems: resample the problems with replacement and, for each resample,
/// take the mean over the drawn problems of (score of A − score of B). Drawing a problem draws both of its
/// scores, so what the two runs share (an easy or a hard problem) cancels, and the interval measures whether
/// A beats B on problems like these rather than how lucky either run was in its problem draw.
/// </summary>
public static class PairedBootstrap
{
    /// <summary>
    /// Mean of <c>a[i] − b[i]</c> with its (1−α) interval, and the share of resampled means at or below 0 (a
    /// one-sided bootstrap p-value for "A is better"). Deterministic for a given seed.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static PairedDifference Compare(IReadOnlyList<double> a, IReadOnlyList<double> b, double confidence = 0.95, int resamples = 10_000, int seed = 20210707)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired scores differ in length ({a.Count} and {b.Count}).", nameof(b));
        if (a.Count == 0) throw new ArgumentException("no problems to compare.", nameof(a));
        var count = a.Count;
        var differences = new double[count];
        for (var i = 0; i < count; i++) differences[i] = a[i] - b[i];
        var random = new Random(seed);
        var means = new double[resamples];
        var atOrBelowZero = 0;
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < count; i++) sum += differences[random.Next(count)];
            means[r] = sum / count;
            if (means[r] <= 0) atOrBelowZero++;
        }
        Array.Sort(means);
        var tail = (1.0 - confidence) / 2.0;
        var interval = new Interval(BootstrapInterval.Quantile(means, tail), BootstrapInterval.Quantile(means, 1.0 - tail));
        return new PairedDifference(differences.Average(), interval, (double)atOrBelowZero / resamples);
    }
}
