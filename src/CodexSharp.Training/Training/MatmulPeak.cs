using System.Diagnostics;
using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// This machine's matrix-multiply throughput right now: torch.matmul of two n×n matrices on all of libtorch's
/// threads, the best of a few runs after a warm-up, in GFLOP/s (2·n³ per product). The denominator of MFU.
/// </summary>
public static class MatmulPeak
{
    public static double Measure(ScalarType type, int n, int repeats)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var a = randn(n, n).to(type);
        var b = randn(n, n).to(type);
        matmul(a, b).Dispose();
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            matmul(a, b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>A quick probe for a training run's MFU column (1024², best of 3; about a second in float32).</summary>
    public static double Measure(ScalarType type, bool quick) => quick ? Measure(type, 1024, 3) : Measure(type, 2048, 5);
}
