using CodexSharp.Core.Metrics;

namespace CodexSharp.Core.Tests;

public sealed class BootstrapIntervalTests
{
    [Fact]
    public void Constant_scores_give_a_point_interval()
    {
        var interval = BootstrapInterval.OfMean(Enumerable.Repeat(0.25, 50).ToArray());
        Assert.Equal(0.25, interval.Low, 12);
        Assert.Equal(0.25, interval.High, 12);
    }

    [Fact]
    public void Interval_brackets_the_mean_and_matches_the_normal_approximation()
    {
        // 164 problems, 40% solved: the standard error of the mean is sqrt(0.4*0.6/164) = 0.0383,
        // so a 95% interval is about ±0.075.
        var scores = Enumerable.Range(0, 164).Select(i => i % 5 < 2 ? 1.0 : 0.0).ToArray();
        var interval = BootstrapInterval.OfMean(scores);
        var mean = scores.Average();
        Assert.InRange(mean, interval.Low, interval.High);
        Assert.InRange(interval.High - interval.Low, 0.13, 0.17);
        Assert.InRange(mean - interval.Low, 0.06, 0.09);
    }

    [Fact]
    public void Same_seed_same_interval() =>
        Assert.Equal(BootstrapInterval.OfMean([0.1, 0.9, 0.5, 0.3]), BootstrapInterval.OfMean([0.1, 0.9, 0.5, 0.3]));

    [Fact]
    public void Quantile_interpolates_like_numpy() =>
        Assert.Equal(2.5, BootstrapInterval.Quantile([1, 2, 3, 4], 0.5), 12);
}
