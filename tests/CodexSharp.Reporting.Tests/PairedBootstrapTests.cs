using CodexSharp.Core.Metrics;
using CodexSharp.Reporting.Metrics;

namespace CodexSharp.Reporting.Tests;

public sealed class PairedBootstrapTests
{
    [Fact]
    public void A_constant_gain_on_problems_of_very_different_difficulty_is_certain_when_paired()
    {
        // B's pass rates range from 0 to 0.9; A gains exactly 0.05 on each problem.
        var b = Enumerable.Range(0, 40).Select(i => (i % 10) / 10.0).ToArray();
        var a = b.Select(x => x + 0.05).ToArray();
        var paired = PairedBootstrap.Compare(a, b);
        Assert.Equal(0.05, paired.Difference, 12);
        Assert.Equal(0.05, paired.Ci95.Low, 12);
        Assert.Equal(0.05, paired.Ci95.High, 12);
        Assert.Equal(0.0, paired.ShareAtOrBelowZero);
        // Unpaired, each run's own interval is wide and they overlap: the pairing is what makes the gain visible.
        var intervalA = BootstrapInterval.OfMean(a);
        var intervalB = BootstrapInterval.OfMean(b);
        Assert.True(intervalA.Low < intervalB.High);
    }

    [Fact]
    public void Wins_on_forty_problems_and_losses_on_ten_give_the_normal_interval()
    {
        // Differences +1 (40 problems) and −1 (10): mean 0.6, sd 0.8, standard error 0.8/√50 ≈ 0.113.
        var a = Enumerable.Range(0, 50).Select(i => i < 40 ? 1.0 : 0.0).ToArray();
        var b = Enumerable.Range(0, 50).Select(i => i < 40 ? 0.0 : 1.0).ToArray();
        var d = PairedBootstrap.Compare(a, b);
        Assert.Equal(0.6, d.Difference, 12);
        Assert.InRange(d.Ci95.Low, 0.6 - 1.96 * 0.113 - 0.04, 0.6 - 1.96 * 0.113 + 0.04);
        Assert.InRange(d.Ci95.High, 0.6 + 1.96 * 0.113 - 0.04, 0.6 + 1.96 * 0.113 + 0.04);
        Assert.True(d.ShareAtOrBelowZero < 0.001);
    }

    [Fact]
    public void Swapping_the_runs_mirrors_the_interval_and_a_balanced_pair_straddles_zero()
    {
        var a = new[] { 1.0, 0.0, 0.5, 0.2, 0.9, 0.4 };
        var b = new[] { 0.0, 1.0, 0.5, 0.4, 0.7, 0.4 };
        var ab = PairedBootstrap.Compare(a, b);
        var ba = PairedBootstrap.Compare(b, a);
        Assert.Equal(0.0, ab.Difference, 12);
        Assert.Equal(-ab.Ci95.High, ba.Ci95.Low, 12);
        Assert.True(ab.Ci95.Low < 0 && ab.Ci95.High > 0);
    }

    [Fact]
    public void Lists_of_different_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Compare([1.0, 0.0], [1.0]));
    }
}
