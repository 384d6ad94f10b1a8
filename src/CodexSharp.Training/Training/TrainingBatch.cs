using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// One micro-batch: input ids, the ids to predict (inputs shifted left by one), and an optional per-token loss
/// weight (1 = counts, 0 = ignored; fine-tuning masks prompt tokens this way). Owns its tensors.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    public TrainingBatch(Tensor inputs, Tensor targets, Tensor? lossMask = null)
    {
        Inputs = inputs;
        Targets = targets;
        LossMask = lossMask;
    }

    /// <summary>(B, T) int64.</summary>
    public Tensor Inputs { get; }

    /// <summary>(B, T) int64: the token after each input position.</summary>
    public Tensor Targets { get; }

    /// <summary>(B, T) float32 weights of each position's loss, or null when every position counts.</summary>
    public Tensor? LossMask { get; }

    public long Rows => Inputs.shape[0];

    public long Length => Inputs.shape[1];

    /// <summary>Positions whose loss counts.</summary>
    public double CountedTokens => LossMask is null ? Rows * Length : SumOf(LossMask);

    private static double SumOf(Tensor mask)
    {
        using var sum = mask.sum();
        return sum.item<float>();
    }

    /// <summary>
    /// Builds a batch from <paramref name="rows"/> windows of length T + 1 laid end to end in
    /// <paramref name="windows"/>: inputs are positions 0..T-1 of each window, targets 1..T.
    /// </summary>
    public static TrainingBatch FromWindows(long[] windows, int rows, int length, float[]? mask = null)
    {
        using var all = tensor(windows, [rows, length + 1]); // (B, T+1)
        var inputs = all.narrow(1, 0, length).contiguous(); // (B, T)
        var targets = all.narrow(1, 1, length).contiguous(); // (B, T)
        var lossMask = mask is null ? null : tensor(mask, [rows, length]);
        return new TrainingBatch(inputs, targets, lossMask);
    }

    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
        LossMask?.Dispose();
    }
}
