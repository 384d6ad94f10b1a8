using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// One micro-batch: input ids, the ids to predict (inputs shifted left by one), and an optional per-token loss
/// weight (1 = counts, 0 = ignored; fine-tuning masks prompt tokens this way). A left-padded batch also carries
/// each row's position ids and an attention mask that hides its padding, so a row computes what it would alone.
/// Owns its tensors.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    public TrainingBatch(Tensor inputs, Tensor targets, Tensor? lossMask = null, Tensor? positions = null, Tensor? attentionMask = null, long? tokens = null)
    {
        Inputs = inputs;
        Targets = targets;
        LossMask = lossMask;
        Positions = positions;
        AttentionMask = attentionMask;
        Tokens = tokens ?? Rows * Length;
    }

    /// <summary>(B, T) int64.</summary>
    public Tensor Inputs { get; }

    /// <summary>(B, T) int64: the token after each input position.</summary>
    public Tensor Targets { get; }

    /// <summary>(B, T) float32 weights of each position's loss, or null when every position counts.</summary>
    public Tensor? LossMask { get; }

    /// <summary>(B, T) int64 position ids, or null for 0 .. T-1 in every row.</summary>
    public Tensor? Positions { get; }

    /// <summary>(B, 1, T, T) bool, true where a query may attend a key; null means plain causal attention.</summary>
    public Tensor? AttentionMask { get; }

    public long Rows => Inputs.shape[0];

    public long Length => Inputs.shape[1];

    /// <summary>Input positions that hold real tokens (not padding).</summary>
    public long Tokens { get; }

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

    /// <summary>
    /// Builds a left-padded batch: row r is <paramref name="pads"/>[r] padding positions, then its tokens. Windows
    /// hold T + 1 ids per row (padding included, any id); <paramref name="mask"/> holds T loss weights per row
    /// (0 on padding); <paramref name="realInputs"/>[r] is the number of row r's inputs that are not padding (the
    /// padding after them only feeds masked positions). Positions count from each row's first real token (padding
    /// after the row repeats its last position, so none passes the context), and attention never reaches left
    /// padding (a padding query sees only itself, which keeps softmax finite; its loss weight is 0).
    /// </summary>
    public static TrainingBatch LeftPadded(long[] windows, int rows, int length, float[] mask, int[] pads, int[] realInputs)
    {
        using var all = tensor(windows, [rows, length + 1]); // (B, T+1)
        var inputs = all.narrow(1, 0, length).contiguous(); // (B, T)
        var targets = all.narrow(1, 1, length).contiguous(); // (B, T)
        var lossMask = tensor(mask, [rows, length]); // (B, T)
        using var index = arange(length, dtype: ScalarType.Int64).view(1, length); // (1, T)
        using var padColumn = tensor(pads.Select(p => (long)p).ToArray(), [rows, 1]); // (B, 1)
        using var shifted = index.sub(padColumn); // (B, T)
        using var lastPosition = tensor(realInputs.Select(n => (long)Math.Max(0, n - 1)).ToArray(), [rows, 1]); // (B, 1)
        using var below = shifted.minimum(lastPosition); // (B, T)
        var positions = below.clamp_min(0); // (B, T)
        using var query = index.view(1, length, 1); // (1, T, 1)
        using var key = index.view(1, 1, length); // (1, 1, T)
        using var causal = key.le(query); // (1, T, T)
        using var padKey = padColumn.view(rows, 1, 1); // (B, 1, 1)
        using var realKey = key.ge(padKey); // (B, 1, T)
        using var visible = causal.logical_and(realKey); // (B, T, T)
        using var self = key.eq(query); // (1, T, T)
        using var allowed = visible.logical_or(self); // (B, T, T)
        var attention = allowed.unsqueeze(1); // (B, 1, T, T)
        return new TrainingBatch(inputs, targets, lossMask, positions, attention, realInputs.Sum(n => (long)n));
    }

    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
        LossMask?.Dispose();
        Positions?.Dispose();
        AttentionMask?.Dispose();
    }
}
