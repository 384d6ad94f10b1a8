using TorchSharp;

namespace CodexSharp.Model;

/// <summary>
/// Scalars that live for the whole process. TorchSharp's operators turn a number into a temporary Scalar whose
/// only owner is the garbage collector; if a collection finalizes it while the native call still uses it, the call
/// reads freed memory (seen as a failed "toFloat" check). Hot paths pass these instead.
/// </summary>
internal static class TorchScalars
{
    public static Scalar Zero { get; } = 0.ToScalar();

    public static Scalar One { get; } = 1.ToScalar();

    /// <summary><c>arange(start, stop)</c> as int64, with its bounds kept alive for the whole native call.</summary>
    public static torch.Tensor Arange(long start, long stop)
    {
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        return torch.arange(first, end, dtype: torch.ScalarType.Int64);
    }
}
