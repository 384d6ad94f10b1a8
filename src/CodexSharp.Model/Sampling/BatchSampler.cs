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
/// different lengths are left-padded; padding is masked out of attention and positions start at each row's first
/// real token, so a row's logits do not depend on its padding. With the KV cache (default) each step feeds one
/// token per row; without it every step recomputes the whole sequence — the simple reference path the cache is
/// tested against. Finished rows stay in the batch, fed a placeholder, until a quarter of it has finished; then
/// the batch is compacted, so the cache is copied a few times per batch rather than once per finished row.
/// </summary>
internal sealed class BatchSampler(GptModel model, CodeTokenizer tokenizer, bool useKvCache = true)
{
    private sealed class Row(SampleJob spec)
    {
        public SampleJob Spec { get; } = spec;
        public List<int> Tokens { get; } = [];
        public List<float> LogProbs { get; } = [];
        public SampleResult? Result { get; set; }
    }

    public IReadOnlyList<SampleResult> Run(IReadOnlyList<SampleJob> jobs)
    {
        var promptLength = jobs.Max(j => j.Prompt.Count);
        var context = model.Config.Context;
        if (promptLength >= context)
        {
            throw new UserInputException($"the prompt is {promptLength} tokens but the model's context is {context}; shorten the prompt");
        }
        var maxNew = Math.Min(jobs.Max(j => j.MaxTokens), context - promptLength);
        var rows = jobs.Select(job => new Row(job)).ToList();
        foreach (var row in rows.Where(r => r.Spec.MaxTokens == 0 || maxNew == 0)) row.Result = new SampleResult([], [], "", "length");
        var live = rows.Where(r => r.Result is null).ToList();
        if (live.Count == 0) return rows.Select(r => r.Result!).ToList();

        // One prefill row per distinct prompt; row b's real tokens start at pads[b] (left padding).
        var prompts = live.Select(r => r.Spec.Prompt).Distinct(PromptComparer.Instance).ToList();
        var promptOf = live.Select(r => (long)prompts.FindIndex(p => PromptComparer.Instance.Equals(p, r.Spec.Prompt))).ToArray();
        var promptPads = prompts.Select(p => (long)(promptLength - p.Count)).ToList();
        var promptSequences = prompts.Select((p, i) => Enumerable.Repeat((long)tokenizer.EndOfText, (int)promptPads[i]).Concat(p.Select(t => (long)t)).ToList()).ToList();

        using var grad = inference_mode();
        using var cache = useKvCache ? new KvCache(model.Config, prompts.Count, promptLength + maxNew, model.DType) : null;
        using var prefill = Step(promptSequences, promptPads, cache, prefill: true); // (P, V)
        using var rowOf = tensor(promptOf); // (B)
        var logits = prefill.index_select(0, rowOf); // (B, V)
        cache?.SelectRows(rowOf);
        // slots[b] is the row in batch position b, or null once it has finished.
        var slots = live.Cast<Row?>().ToList();
        var pads = promptOf.Select(p => promptPads[(int)p]).ToList();
        var sequences = promptOf.Select(p => promptSequences[(int)p].ToList()).ToList();
        while (true)
        {
            var running = Enumerable.Range(0, slots.Count).Where(b => slots[b] is not null).ToArray();
            var (tokens, logProbs) = Choose(logits, running, slots);
            logits.Dispose();
            var next = Enumerable.Repeat((long)tokenizer.EndOfText, slots.Count).ToArray(); // a finished row's placeholder
            for (var i = 0; i < running.Length; i++)
            {
                var b = running[i];
                next[b] = tokens[i];
                if (Advance(slots[b]!, (int)tokens[i], logProbs[i], maxNew)) slots[b] = null;
            }
            for (var b = 0; b < slots.Count; b++) sequences[b].Add(next[b]);
            var remaining = running.Where(b => slots[b] is not null).ToArray();
            if (remaining.Length == 0) break;
            if (remaining.Length <= slots.Count * 3 / 4)
            {
                slots = remaining.Select(b => slots[b]).ToList();
                pads = remaining.Select(b => pads[b]).ToList();
                sequences = remaining.Select(b => sequences[b]).ToList();
                if (cache is not null)
                {
                    using var kept = tensor(remaining.Select(b => (long)b).ToArray());
                    cache.SelectRows(kept);
                }
            }
            logits = Step(sequences, pads, cache, prefill: false);
        }
        return rows.Select(r => r.Result!).ToList();
    }

    /// <summary>Chooses the next token of the running rows (the others' logits are skipped).</summary>
    private static (long[] Tokens, float[] LogProbs) Choose(Tensor logits, int[] running, List<Row?> slots)
    {
        var sampling = running.Select(b => slots[b]!.Spec.Sampling).ToList();
        var uniforms = running.Select(b => slots[b]!.Spec.Random.NextDouble()).ToArray();
        if (running.Length == slots.Count) return TokenChooser.Choose(logits, sampling, uniforms);
        using var index = tensor(running.Select(b => (long)b).ToArray());
        using var runningLogits = logits.index_select(0, index);
        return TokenChooser.Choose(runningLogits, sampling, uniforms);
    }

    /// <summary>Runs the model for the next position of every row and returns its logits (B, V).</summary>
    private Tensor Step(List<List<long>> sequence, List<long> pads, KvCache? cache, bool prefill)
    {
        using var scope = NewDisposeScope();
        var batch = sequence.Count;
        var length = sequence[0].Count;
        var fed = cache is null || prefill ? length : 1;
        var input = tensor(sequence.SelectMany(s => s.Skip(length - fed)).ToArray()).view(batch, fed); // (B, T)
        var padded = pads.Any(p => p > 0);
        var padTensor = tensor(pads.ToArray()).view(batch, 1); // (B, 1)
        var queryIndex = TorchScalars.Arange(length - fed, length).unsqueeze(0); // (1, T)
        var positions = queryIndex.sub(padTensor).clamp_min(TorchScalars.Zero); // (B, T)
        Tensor? mask = null;
        if (padded)
        {
            var keyIndex = TorchScalars.Arange(0, length).view(1, 1, 1, length); // (1, 1, 1, S)
            var query = queryIndex.view(1, 1, fed, 1); // (1, 1, T, 1)
            var realKey = keyIndex.ge(padTensor.view(batch, 1, 1, 1)); // (B, 1, 1, S)
            // A padding query sees only itself, so no row of the mask is empty (that would give NaN).
            mask = keyIndex.le(query).logical_and(realKey.logical_or(keyIndex.eq(query))); // (B, 1, T, S)
        }
        var logits = model.Forward(input, positions, mask, cache, lastOnly: true); // (B, 1, V)
        return logits.view(batch, -1).MoveToOuterDisposeScope(); // (B, V)
    }

    /// <summary>Appends a chosen token to a row; returns true when the row is finished.</summary>
    private bool Advance(Row row, int token, float logProb, int maxNew)
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
        if (row.Tokens.Count >= Math.Min(row.Spec.MaxTokens, maxNew))
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
