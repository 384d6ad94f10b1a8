using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Sampling;

/// <summary>
/// Continues a batch of prompts together. Prompts of different lengths are left-padded; padding is masked out of
/// attention and positions start at each row's first real token, so a row's logits do not depend on its padding.
/// With the KV cache (default) each step feeds one token per row; without it every step recomputes the whole
/// sequence — the simple reference path the cache is tested against. Rows that finish are dropped from the batch.
/// </summary>
internal sealed class BatchSampler(GptModel model, CodeTokenizer tokenizer, bool useKvCache = true)
{
    private sealed class Row(int job, SampleJob spec)
    {
        public int Job { get; } = job;
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
        var rows = jobs.Select((job, i) => new Row(i, job)).ToList();
        foreach (var row in rows.Where(r => r.Spec.MaxTokens == 0 || maxNew == 0)) row.Result = new SampleResult([], [], "", "length");
        var active = rows.Where(r => r.Result is null).ToList();
        if (active.Count == 0) return rows.Select(r => r.Result!).ToList();

        // Left padding: row b's real tokens start at pads[b].
        var pads = active.Select(r => (long)(promptLength - r.Spec.Prompt.Count)).ToList();
        var sequence = active.Select((r, i) => Enumerable.Repeat((long)tokenizer.EndOfText, (int)pads[i]).Concat(r.Spec.Prompt.Select(t => (long)t)).ToList()).ToList();

        using var grad = inference_mode();
        using var cache = useKvCache ? new KvCache(model.Config, active.Count, promptLength + maxNew, model.DType) : null;
        var logits = Step(sequence, pads, cache, prefill: true); // (B, V)
        while (true)
        {
            var (tokens, logProbs) = TokenChooser.Choose(logits, active.Select(r => r.Spec.Sampling).ToList(), active.Select(r => r.Spec.Random.NextDouble()).ToArray());
            logits.Dispose();
            var keep = new List<long>();
            for (var i = 0; i < active.Count; i++)
            {
                if (!Advance(active[i], (int)tokens[i], logProbs[i], maxNew)) keep.Add(i);
                sequence[i].Add(tokens[i]);
            }
            if (keep.Count == 0) break;
            if (keep.Count < active.Count)
            {
                active = keep.Select(i => active[(int)i]).ToList();
                pads = keep.Select(i => pads[(int)i]).ToList();
                sequence = keep.Select(i => sequence[(int)i]).ToList();
                if (cache is not null)
                {
                    using var kept = tensor(keep.ToArray());
                    cache.KeepRows(kept);
                }
            }
            logits = Step(sequence, pads, cache, prefill: false);
        }
        return rows.Select(r => r.Result!).ToList();
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
