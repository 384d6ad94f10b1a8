using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Sampling;

/// <summary>
/// Continues a batch of prompts together. Each distinct prompt is run through the model once (n samples of one
/// problem share one prefill) and its keys and values are copied to every row that continues it. Prompts of
/// different lengths are left-padded; rows with the same padding sit next to each other, attention of each such group
/// covers its real positions only (<see cref="RowGroups"/>) and positions start at each row's first real token. With
/// the KV cache (default) each step feeds one token per row; without it every step recomputes the whole sequence —
/// the simple reference path the cache is tested against. Finished rows stay in the batch, fed a placeholder, until a
/// quarter of it has finished; then the batch is compacted, so the cache is copied a few times per batch rather than
/// once per finished row. A cancelled row leaves at the next step, and the batch is compacted at once.
/// <para>
/// A seeded row samples the same tokens alone, in any batch and across compactions: its logits are the same to the
/// last bit. That needs each row's arithmetic to be independent of the others: the grouped attention above, a token
/// budget from the row's own prompt length, and a batch of a multiple of four rows. libtorch's CPU matrix multiply
/// (MKL) takes another path for 1–3 rows and for 5–11 rows not a multiple of four, which rounds differently; with
/// 4, 8 and from 12 rows on every row's result is the same whatever the row count. Placeholder rows fill a batch up to
/// a multiple of four.
/// </para>
/// </summary>
internal sealed class BatchSampler(GptModel model, CodeTokenizer tokenizer, bool useKvCache = true)
{
    /// <summary>Batches are padded to a multiple of this many rows (see the class comment).</summary>
    internal const int RowMultiple = 4;

    private int activeRows;

    private sealed class Row(SampleJob spec, int budget)
    {
        public SampleJob Spec { get; } = spec;
        public int Budget { get; } = budget;
        public List<int> Tokens { get; } = [];
        public List<float> LogProbs { get; } = [];
        public SampleResult? Result { get; set; }
    }

    /// <summary>Rows still decoding in the running batch (0 between batches); readable from any thread.</summary>
    public int ActiveRows => Volatile.Read(ref activeRows);

    public IReadOnlyList<SampleResult> Run(IReadOnlyList<SampleJob> jobs)
    {
        try
        {
            return RunBatch(jobs);
        }
        finally
        {
            Volatile.Write(ref activeRows, 0);
        }
    }

    private IReadOnlyList<SampleResult> RunBatch(IReadOnlyList<SampleJob> jobs)
    {
        var context = model.Config.Context;
        var promptLength = jobs.Max(j => j.Prompt.Count);
        if (promptLength >= context)
        {
            throw new UserInputException($"the prompt is {promptLength} tokens but the model's context is {context}; shorten the prompt");
        }
        // A row's budget comes from its own prompt, never from a longer one beside it.
        var rows = jobs.Select(job => new Row(job, Math.Min(job.MaxTokens, context - job.Prompt.Count))).ToList();
        foreach (var row in rows.Where(r => r.Budget <= 0)) row.Result = new SampleResult([], [], "", "length");
        foreach (var row in rows.Where(r => r.Result is null && r.Spec.Cancellation.IsCancellationRequested)) row.Result = SampleResult.Cancelled;
        // Longest prompts first and the rows of one prompt together, so equal paddings form few groups.
        var live = rows.Where(r => r.Result is null).OrderByDescending(r => r.Spec.Prompt.Count).ToList();
        if (live.Count == 0) return rows.Select(r => r.Result!).ToList();
        var maxNew = live.Max(r => r.Budget);

        // One prefill row per distinct prompt (plus placeholders up to a multiple of four); row p's real tokens start
        // at promptPads[p] (left padding).
        var prompts = live.Select(r => r.Spec.Prompt).Distinct(PromptComparer.Instance).ToList();
        var promptOf = live.Select(r => (long)prompts.FindIndex(p => PromptComparer.Instance.Equals(p, r.Spec.Prompt))).ToList();
        live = live.Select((r, i) => (r, i)).OrderBy(x => promptOf[x.i]).Select(x => x.r).ToList();
        promptOf.Sort();
        var prefillRows = prompts.Concat(Enumerable.Repeat(prompts[^1], RoundUp(prompts.Count) - prompts.Count)).ToList();
        var promptPads = prefillRows.Select(p => (long)(promptLength - p.Count)).ToList();
        var promptSequences = prefillRows.Select((p, i) => Enumerable.Repeat((long)tokenizer.EndOfText, (int)promptPads[i]).Concat(p.Select(t => (long)t)).ToList()).ToList();

        using var grad = inference_mode();
        using var cache = useKvCache ? new KvCache(model.Config, prefillRows.Count, promptLength + maxNew, model.DType) : null;
        using var prefill = Step(promptSequences, promptPads, cache, prefill: true); // (P, V)
        // slots[b] is the row in batch position b, or null for a placeholder (finished, or filling up to a multiple of four).
        var slots = live.Cast<Row?>().Concat(Enumerable.Repeat<Row?>(null, RoundUp(live.Count) - live.Count)).ToList();
        promptOf.AddRange(Enumerable.Repeat(promptOf[^1], slots.Count - live.Count));
        using var rowOf = tensor(promptOf.ToArray()); // (B)
        var logits = prefill.index_select(0, rowOf); // (B, V)
        cache?.SelectRows(rowOf);
        var pads = promptOf.Select(p => promptPads[(int)p]).ToList();
        var sequences = promptOf.Select(p => promptSequences[(int)p].ToList()).ToList();
        while (true)
        {
            var running = Enumerable.Range(0, slots.Count).Where(b => slots[b] is not null).ToArray();
            Volatile.Write(ref activeRows, running.Length);
            var (tokens, logProbs) = Choose(logits, running, slots, model.FrequentHead);
            logits.Dispose();
            var next = Enumerable.Repeat((long)tokenizer.EndOfText, slots.Count).ToArray(); // a finished row's placeholder
            var cancelled = false;
            for (var i = 0; i < running.Length; i++)
            {
                var b = running[i];
                next[b] = tokens[i];
                if (slots[b]!.Spec.Cancellation.IsCancellationRequested)
                {
                    slots[b]!.Result = SampleResult.Cancelled;
                    slots[b] = null;
                    cancelled = true;
                }
                else if (Advance(slots[b]!, (int)tokens[i], logProbs[i]))
                {
                    slots[b] = null;
                }
            }
            for (var b = 0; b < slots.Count; b++) sequences[b].Add(next[b]);
            var remaining = running.Where(b => slots[b] is not null).ToArray();
            if (remaining.Length == 0) break;
            if (cancelled || remaining.Length <= slots.Count * 3 / 4)
            {
                // Keep the running rows and as many finished ones as make a multiple of four, in batch order.
                var fill = Enumerable.Range(0, slots.Count).Where(b => slots[b] is null).Take(RoundUp(remaining.Length) - remaining.Length);
                var kept = remaining.Concat(fill).Order().ToArray();
                slots = kept.Select(b => slots[b]).ToList();
                pads = kept.Select(b => pads[b]).ToList();
                sequences = kept.Select(b => sequences[b]).ToList();
                if (cache is not null)
                {
                    using var keptRows = tensor(kept.Select(b => (long)b).ToArray());
                    cache.SelectRows(keptRows);
                }
                Volatile.Write(ref activeRows, remaining.Length);
            }
            logits = Step(sequences, pads, cache, prefill: false);
        }
        return rows.Select(r => r.Result!).ToList();
    }

    private static int RoundUp(int rows) => (rows + RowMultiple - 1) / RowMultiple * RowMultiple;

    /// <summary>Chooses the next token of the running rows (the others' logits are skipped).</summary>
    private static (long[] Tokens, float[] LogProbs) Choose(Tensor logits, int[] running, List<Row?> slots, FrequentHead? head)
    {
        var sampling = running.Select(b => slots[b]!.Spec.Sampling).ToList();
        var uniforms = running.Select(b => slots[b]!.Spec.Random.NextDouble()).ToArray();
        using var index = running.Length == slots.Count ? null : tensor(running.Select(b => (long)b).ToArray());
        using var runningLogits = index is null ? logits.alias() : logits.index_select(0, index);
        return head is null ? TokenChooser.Choose(runningLogits, sampling, uniforms) : TokenChooser.Choose(runningLogits, sampling, uniforms, head);
    }

    /// <summary>Runs the model for the next position of every row and returns its logits (B, V), or a frequent-token head's (B, S + 1).</summary>
    private Tensor Step(List<List<long>> sequence, List<long> pads, KvCache? cache, bool prefill)
    {
        using var scope = NewDisposeScope();
        var batch = sequence.Count;
        var length = sequence[0].Count;
        var fed = cache is null || prefill ? length : 1;
        var input = tensor(sequence.SelectMany(s => s.Skip(length - fed)).ToArray()).view(batch, fed); // (B, T)
        var padTensor = tensor(pads.ToArray()).view(batch, 1); // (B, 1)
        var queryIndex = TorchScalars.Arange(length - fed, length).unsqueeze(0); // (1, T)
        var positions = queryIndex.sub(padTensor).clamp_min(TorchScalars.Zero); // (B, T)
        // A frequent-token head's S + 1 rows: the chooser works on those (TokenChooser).
        var logits = model.Forward(input, positions, cache: cache, lastOnly: true, groups: RowGroups.FromPads(pads), headRows: true); // (B, 1, V or S + 1)
        return logits.view(batch, -1).MoveToOuterDisposeScope(); // (B, V or S + 1)
    }

    /// <summary>Appends a chosen token to a row; returns true when the row is finished.</summary>
    private bool Advance(Row row, int token, float logProb)
    {
        if (token == tokenizer.EndOfText)
        {
            row.Result = new SampleResult(row.Tokens.ToList(), row.LogProbs.ToList(), tokenizer.Decode(row.Tokens), "stop");
            return true;
        }
        row.Tokens.Add(token);
        row.LogProbs.Add(logProb);
        var text = tokenizer.Decode(row.Tokens);
        var stop = StopSequences.FirstStop(text, row.Spec.Stop);
        if (stop >= 0)
        {
            var kept = TokensBefore(row.Tokens, stop);
            row.Result = new SampleResult(row.Tokens.Take(kept).ToList(), row.LogProbs.Take(kept).ToList(), text[..stop], "stop");
            return true;
        }
        if (row.Tokens.Count >= row.Budget)
        {
            row.Result = new SampleResult(row.Tokens.ToList(), row.LogProbs.ToList(), text, "length");
            return true;
        }
        return false;
    }

    /// <summary>Prompts compared by their tokens.</summary>
    private sealed class PromptComparer : IEqualityComparer<IReadOnlyList<int>>
    {
        public static PromptComparer Instance { get; } = new();

        public bool Equals(IReadOnlyList<int>? x, IReadOnlyList<int>? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.SequenceEqual(y));

        public int GetHashCode(IReadOnlyList<int> prompt)
        {
            var hash = new HashCode();
            foreach (var token in prompt) hash.Add(token);
            return hash.ToHashCode();
        }
    }

    /// <summary>How many tokens it takes for the decoded text to reach <paramref name="characters"/> characters.</summary>
    private int TokensBefore(List<int> tokens, int characters)
    {
        for (var count = 0; count < tokens.Count; count++)
        {
            if (tokenizer.Decode(tokens.Take(count)).Length >= characters) return count;
        }
        return tokens.Count;
    }
}
