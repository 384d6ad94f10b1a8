namespace CodexSharp.Training.Training;

/// <summary>
/// Random windows of the token stream, nanoGPT-style: each row starts at a uniformly drawn position and holds
/// T + 1 consecutive ids. The start of (step, micro-batch, row) is a hash of those numbers and the seed, so the
/// sampler has no state besides the step: a resumed run draws exactly the windows the uninterrupted run would.
/// </summary>
public sealed class BlockSampler(TokenData data, int blockSize, long seed, int batchRows = 1, int microRows = 1, int evalBatches = 0) : IBatchSource
{
    public IReadOnlyList<TrainingBatch> Train(int step) =>
        Enumerable.Range(0, batchRows / microRows).Select(i => Train(step, i, microRows)).ToList();

    /// <summary>Evaluations read <c>evalBatches</c> micro-batches of val.bin, or none when it holds less than a block.</summary>
    public int ValidationBatches => data.ValidationTokens > blockSize ? evalBatches : 0;

    public TrainingBatch Validation(int index) => Validation(index, evalBatches, microRows);

    /// <summary>The windows of one micro-batch of the training split.</summary>
    public TrainingBatch Train(int step, int microBatch, int rows)
    {
        var limit = data.TrainTokens - blockSize; // starts 0 .. limit-1 keep T + 1 ids inside the split
        var windows = new long[rows * (blockSize + 1)];
        for (var row = 0; row < rows; row++)
        {
            var start = (long)(Mix((ulong)seed, (ulong)step, (ulong)microBatch, (ulong)row) % (ulong)limit);
            data.CopyTo(false, start, windows.AsSpan(row * (blockSize + 1), blockSize + 1));
        }
        return TrainingBatch.FromWindows(windows, rows, blockSize);
    }

    /// <summary>
    /// The validation micro-batch <paramref name="index"/>: the same windows at every evaluation (spread evenly over
    /// val.bin), so val losses of one run compare step to step.
    /// </summary>
    public TrainingBatch Validation(int index, int batches, int rows)
    {
        var limit = data.ValidationTokens - blockSize;
        var windows = new long[rows * (blockSize + 1)];
        var total = (long)batches * rows;
        for (var row = 0; row < rows; row++)
        {
            var start = (index * (long)rows + row) * (limit - 1) / Math.Max(1, total - 1);
            data.CopyTo(true, start, windows.AsSpan(row * (blockSize + 1), blockSize + 1));
        }
        return TrainingBatch.FromWindows(windows, rows, blockSize);
    }

    /// <summary>A 64-bit hash of the inputs (SplitMix64's finaliser applied in turn): a counter-based random number.</summary>
    internal static ulong Mix(params ReadOnlySpan<ulong> values)
    {
        var h = 0x9E3779B97F4A7C15UL;
        foreach (var value in values)
        {
            h ^= value + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
            h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
            h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
            h ^= h >> 31;
        }
        return h;
    }
}
