using CodexSharp.Training.Training;

namespace CodexSharp.Training.Finetuning;

/// <summary>
/// Batches of whole fine-tuning examples, one per row, the loss on target tokens only. The training examples are
/// read in epochs, each in its own order (a hash of the seed, the epoch and the example); a step takes the next
/// examples until their tokens reach the step's budget. Where a step starts is computed from the seed and the step
/// alone, so a resumed run sees exactly what the uninterrupted run would.
/// <para>
/// Rows are left-padded to the longest prompt of their micro-batch, so every row's first target token sits in the
/// same column (the paper's layout), and right-padded after their target. Padding is &lt;|endoftext|&gt;, hidden from
/// attention, its positions not counted, its loss weight 0: a row computes what its example would alone.
/// </para>
/// </summary>
public sealed class ExampleSampler : IBatchSource
{
    private readonly IReadOnlyList<FinetuneExample> train;
    private readonly IReadOnlyList<FinetuneExample> validation;
    private readonly int batchTokens;
    private readonly int microTokens;
    private readonly long seed;
    private readonly int padding;
    private readonly List<long> stepStarts = [0, 0]; // stepStarts[s]: the first stream position of step s (s >= 1)
    private readonly Dictionary<long, int[]> epochs = [];
    private readonly List<List<FinetuneExample>> validationBatches;

    /// <param name="microTokens">Most padded tokens in one forward/backward pass (a longer example gets a pass of its own).</param>
    /// <param name="padding">The padding id (&lt;|endoftext|&gt;).</param>
    public ExampleSampler(IReadOnlyList<FinetuneExample> train, IReadOnlyList<FinetuneExample> validation, int batchTokens, int microTokens, long seed, int padding)
    {
        if (train.Count == 0) throw new ArgumentException("no training examples", nameof(train));
        (this.train, this.validation, this.batchTokens, this.microTokens, this.seed, this.padding) = (train, validation, batchTokens, microTokens, seed, padding);
        validationBatches = MicroBatches(validation.OrderBy(e => e.Prompt.Length).ThenBy(e => e.TaskId, StringComparer.Ordinal).ToList());
    }

    /// <summary>The mean example length, in tokens.</summary>
    public int MeanLength => (int)Math.Round(train.Average(e => e.Length));

    public int ValidationBatches => validationBatches.Count;

    public TrainingBatch Validation(int index) => Build(validationBatches[index]);

    public IReadOnlyList<TrainingBatch> Train(int step)
    {
        var examples = StepExamples(step);
        // Similar prompt lengths together: less padding, and the order inside a step does not change its gradient.
        var sorted = examples.OrderBy(e => e.Prompt.Length).ThenBy(e => e.TaskId, StringComparer.Ordinal).ToList();
        return MicroBatches(sorted).Select(Build).ToList();
    }

    /// <summary>The examples of step <paramref name="step"/>: from its start in the stream until their tokens reach the budget.</summary>
    internal IReadOnlyList<FinetuneExample> StepExamples(int step)
    {
        while (stepStarts.Count <= step + 1)
        {
            var position = stepStarts[^1];
            var tokens = 0L;
            do tokens += At(position++).Length;
            while (tokens < batchTokens);
            stepStarts.Add(position);
        }
        var result = new List<FinetuneExample>();
        for (var p = stepStarts[step]; p < stepStarts[step + 1]; p++) result.Add(At(p));
        return result;
    }

    /// <summary>Example at position <paramref name="position"/> of the endless stream of epochs.</summary>
    private FinetuneExample At(long position)
    {
        var epoch = position / train.Count;
        if (!epochs.TryGetValue(epoch, out var order))
        {
            order = Enumerable.Range(0, train.Count).OrderBy(i => BlockSampler.Mix((ulong)seed, (ulong)epoch, (ulong)i)).ToArray();
            epochs.Clear(); // the stream only moves forward
            epochs[epoch] = order;
        }
        return train[order[position % train.Count]];
    }

    /// <summary>Consecutive examples grouped so that rows × padded length stays within the micro-batch budget.</summary>
    private List<List<FinetuneExample>> MicroBatches(List<FinetuneExample> examples)
    {
        var groups = new List<List<FinetuneExample>>();
        var current = new List<FinetuneExample>();
        int longestPrompt = 0, longestTarget = 0;
        foreach (var example in examples)
        {
            var prompt = Math.Max(longestPrompt, example.Prompt.Length);
            var target = Math.Max(longestTarget, example.Target.Length);
            if (current.Count > 0 && (current.Count + 1) * (prompt + target - 1) > microTokens)
            {
                groups.Add(current);
                current = [];
                (prompt, target) = (example.Prompt.Length, example.Target.Length);
            }
            current.Add(example);
            (longestPrompt, longestTarget) = (prompt, target);
        }
        if (current.Count > 0) groups.Add(current);
        return groups;
    }

    /// <summary>
    /// One micro-batch: row r is pads, prompt, target, pads; with P the longest prompt, each target starts at column P.
    /// Inputs are columns 0..L-1 of the padded rows and targets 1..L; the loss weight is 1 where the next token is a target token.
    /// </summary>
    private TrainingBatch Build(List<FinetuneExample> examples)
    {
        var rows = examples.Count;
        var longestPrompt = examples.Max(e => e.Prompt.Length);
        var width = longestPrompt + examples.Max(e => e.Target.Length); // L + 1 ids per row
        var length = width - 1;
        var windows = new long[rows * width];
        var mask = new float[rows * length];
        var pads = new int[rows];
        var real = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            var example = examples[r];
            var pad = longestPrompt - example.Prompt.Length;
            pads[r] = pad;
            var row = windows.AsSpan(r * width, width);
            row.Fill(padding);
            for (var i = 0; i < example.Prompt.Length; i++) row[pad + i] = example.Prompt[i];
            for (var i = 0; i < example.Target.Length; i++) row[longestPrompt + i] = example.Target[i];
            // Input column c predicts id c + 1: the targets sit at columns P .. P + |target| - 1.
            for (var i = 0; i < example.Target.Length; i++) mask[r * length + longestPrompt - 1 + i] = 1;
            real[r] = example.Length - 1;
        }
        return TrainingBatch.LeftPadded(windows, rows, length, mask, pads, real);
    }
}
