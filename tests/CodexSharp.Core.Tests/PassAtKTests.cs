using System.Numerics;
using CodexSharp.Core.Metrics;

namespace CodexSharp.Core.Tests;

public sealed class PassAtKTests
{
    // Hand-computed: 1 - C(n-c,k)/C(n,k).
    [Theory]
    [InlineData(10, 0, 1, 0.0)]
    [InlineData(10, 3, 1, 0.3)]
    [InlineData(10, 10, 5, 1.0)]
    [InlineData(5, 2, 2, 0.7)]          // 1 - C(3,2)/C(5,2) = 1 - 3/10
    [InlineData(4, 1, 2, 0.5)]          // 1 - C(3,2)/C(4,2) = 1 - 3/6
    [InlineData(6, 2, 3, 0.8)]          // 1 - C(4,3)/C(6,3) = 1 - 4/20
    [InlineData(200, 1, 100, 0.5)]      // 1 - C(199,100)/C(200,100) = 1 - 100/200
    [InlineData(3, 1, 3, 1.0)]          // n - c < k
    public void Matches_hand_computed_values(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Equals_exact_binomial_ratio_over_a_grid()
    {
        foreach (var n in new[] { 1, 7, 20, 100, 200 })
        for (var c = 0; c <= n; c += Math.Max(1, n / 13))
        foreach (var k in new[] { 1, 2, 5, 10, 50, 100 }.Where(k => k <= n))
        {
            var exact = 1.0 - Ratio(Binomial(n - c, k), Binomial(n, k));
            Assert.Equal(exact, PassAtK.Estimate(n, c, k), 10);
        }
    }

    [Fact]
    public void Pass_at_1_is_the_pass_fraction() =>
        Assert.Equal(37.0 / 200, PassAtK.Estimate(200, 37, 1), 14);

    [Fact]
    public void Naive_estimator_never_exceeds_the_unbiased_one()
    {
        for (var c = 0; c <= 50; c++)
            Assert.True(PassAtK.Naive(50, c, 10) <= PassAtK.Estimate(50, c, 10) + 1e-12);
    }

    [Theory]
    [InlineData(5, 6, 1)]
    [InlineData(5, -1, 1)]
    [InlineData(5, 2, 0)]
    [InlineData(5, 2, 6)]
    public void Rejects_impossible_arguments(int n, int c, int k) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(n, c, k));

    [Fact]
    public void Mean_averages_over_problems() =>
        Assert.Equal((0.3 + 1.0) / 2, PassAtK.Mean([(10, 3), (10, 10)], 1), 12);

    private static BigInteger Binomial(int n, int k)
    {
        if (k < 0 || k > n) return BigInteger.Zero;
        BigInteger result = BigInteger.One;
        for (var i = 1; i <= k; i++) result = result * (n - k + i) / i;
        return result;
    }

    private static double Ratio(BigInteger a, BigInteger b) => Math.Exp(BigInteger.Log(a) - BigInteger.Log(b)) * (a.IsZero ? 0 : 1);
}
