using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Sampling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model;

/// <summary>
/// Our own GPT checkpoint as an <see cref="ICodeGenerator"/>: batched sampling with a KV cache, seeded, with
/// per-token log-probabilities under the model's untempered distribution (log softmax of the raw logits, before
/// temperature, top-k and top-p). Concurrent calls are merged into shared batches.
/// </summary>
public sealed class LocalModelGenerator : IInProcessModel
{
    private readonly ModelWorker worker;
    private readonly LocalModelOptions options;
    private int warnedAboutMaxTokens;

    public LocalModelGenerator(GptModel model, CodeTokenizer tokenizer, string modelName, LocalModelOptions? options = null)
    {
        this.options = options ?? new LocalModelOptions();
        Model = this.options.BFloat16 ? model.ToBFloat16() : model;
        Tokenizer = tokenizer;
        ModelName = modelName;
        worker = new ModelWorker(Model, tokenizer, this.options);
    }

    /// <summary>Loads the checkpoint a parsed <c>local:DIR</c> or <c>hf:DIR</c> names.</summary>
    public static LocalModelGenerator Load(ModelSpec spec, LocalModelOptions? options = null)
    {
        var (model, tokenizer, name) = LocalModelLoader.Load(spec);
        return new LocalModelGenerator(model, tokenizer, name, options);
    }

    /// <summary>Loads "local:DIR" or "hf:DIR" (parsed by <see cref="ModelSpec.Parse"/>).</summary>
    public static LocalModelGenerator Load(string spec, LocalModelOptions? options = null)
    {
        var (model, tokenizer, name) = LocalModelLoader.Load(spec);
        return new LocalModelGenerator(model, tokenizer, name, options);
    }

    public string ModelName { get; }

    public GptModel Model { get; }

    public CodeTokenizer Tokenizer { get; }

    public string? FineTunedTask => Model.Config.Task;

    public int Context => Model.Config.Context;

    /// <summary>
    /// Samples n continuations. With <see cref="LocalModelOptions.TruncateLongPrompts"/> (the default) a prompt that does
    /// not fit is left-truncated (<see cref="FitToContext"/>) and each completion reports the dropped tokens in
    /// <see cref="GeneratedCompletion.PromptTokensDropped"/>; otherwise a prompt of the context's length or more is a
    /// <see cref="UserInputException"/>. Cancelling <paramref name="cancellationToken"/> takes the request's rows out
    /// of the decoding batch at the next step.
    /// </summary>
    public async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<int> prompt = Tokenizer.Encode(request.Prompt);
        // An empty prompt starts from <|endoftext|>, as GPT-2 was trained to.
        if (prompt.Count == 0) prompt = [Tokenizer.EndOfText];
        var sampling = request.Sampling;
        var maxTokens = sampling.MaxTokens;
        var dropped = 0;
        if (options.TruncateLongPrompts)
        {
            var (kept, newTokens) = FitToContext(prompt.Count, maxTokens, Model.Config.Context);
            dropped = prompt.Count - kept;
            prompt = prompt.Skip(dropped).ToList();
            if (newTokens < maxTokens) WarnOnce(maxTokens);
            maxTokens = newTokens;
        }
        var row = new RowSampling(sampling.Temperature, sampling.TopP, sampling.TopK ?? 0);
        var baseSeed = sampling.Seed ?? Random.Shared.NextInt64();
        var jobs = Enumerable.Range(0, request.N)
            .Select(i => new SampleJob(prompt, row, maxTokens, sampling.Stop, new Random(RowSeed(unchecked(baseSeed + i))), cancellationToken))
            .ToList();
        var chunks = jobs.Chunk(Math.Max(1, options.MaxBatchRows)).Select(chunk => worker.SampleAsync(chunk, cancellationToken)).ToList();
        var results = (await Task.WhenAll(chunks)).SelectMany(r => r);
        return results.Select(r => new GeneratedCompletion(
            r.Text,
            r.FinishReason,
            sampling.LogProbs ? r.Tokens.Select((t, i) => new TokenLogProb(Tokenizer.DecodeToken(t), r.LogProbs[i])).ToList() : null,
            PromptTokensDropped: dropped)).ToList();
    }

    /// <summary>
    /// How much of a prompt an in-process generation keeps and how many tokens it may add, for a model of
    /// <paramref name="context"/> positions. A prompt that fits with room for <paramref name="maxTokens"/> is kept
    /// whole. Otherwise the prompt keeps its last tokens — all of them, or at least half the context — and the new
    /// tokens get the rest, up to <paramref name="maxTokens"/>: a max_tokens too large for the context is capped.
    /// </summary>
    /// <returns>Prompt tokens kept (its last ones; at least one) and new tokens allowed.</returns>
    public static (int KeptPromptTokens, int NewTokens) FitToContext(int promptTokens, int maxTokens, int context)
    {
        if (promptTokens + maxTokens <= context && promptTokens < context) return (promptTokens, maxTokens);
        var newTokens = Math.Min(maxTokens, context - Math.Min(promptTokens, context / 2));
        return (Math.Min(promptTokens, context - Math.Max(1, newTokens)), newTokens);
    }

    /// <summary>Rows waiting for a batch or decoding in one: the work this generator still has to do.</summary>
    public int PendingRows => worker.QueuedRows + worker.ActiveRows;

    /// <summary>Rows dropped because their request was cancelled (the client went away), waiting or mid-batch.</summary>
    public long CancelledRows => worker.CancelledRows;

    private void WarnOnce(int maxTokens)
    {
        if (Interlocked.Exchange(ref warnedAboutMaxTokens, 1) != 0) return;
        var context = Model.Config.Context;
        Console.Error.WriteLine($"warning: max_tokens {maxTokens} does not fit {ModelName}'s context of {context} tokens beside a long prompt: " +
            $"a prompt keeps at least {context / 2} tokens (or all of itself) and its completions get the rest, at least {context - context / 2} new tokens");
    }

    public int CountTokens(string text) => Tokenizer.Encode(text).Count;

    /// <summary>Tokens of <paramref name="text"/> and log p(token i+1 | tokens 0..i) for each.</summary>
    public Task<SequenceScore> ScoreAsync(string text) => worker.ScoreAsync(Tokenizer.Encode(text));

    /// <summary>
    /// log p(<paramref name="continuation"/> | <paramref name="prefix"/>): the log-probabilities of the
    /// continuation's tokens only, the prefix and the continuation tokenized apart as sampling produced them. A pair
    /// longer than the context loses the prefix's first tokens (at least one is kept); a continuation that alone
    /// fills the context is an input error.
    /// </summary>
    public async Task<ContinuationScore> ScoreContinuationAsync(string prefix, string continuation) =>
        (await ScoreContinuationsAsync([(prefix, continuation)]))[0];

    /// <summary>
    /// <see cref="ScoreContinuationAsync"/> for several pairs in one forward pass (faster per pair; the scores can
    /// differ from one pair's alone in the last bits of a float).
    /// </summary>
    public async Task<IReadOnlyList<ContinuationScore>> ScoreContinuationsAsync(IReadOnlyList<(string Prefix, string Continuation)> pairs)
    {
        var scores = new ContinuationScore[pairs.Count];
        var batch = new List<(IReadOnlyList<int> Tokens, int From)>();
        var slots = new List<(int Index, int Dropped)>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var head = Tokenizer.Encode(pairs[i].Prefix);
            var tail = Tokenizer.Encode(pairs[i].Continuation);
            if (tail.Count == 0)
            {
                scores[i] = new ContinuationScore(0, 0, double.NaN, 0);
                continue;
            }
            if (tail.Count >= Model.Config.Context)
                throw new UserInputException($"the continuation is {tail.Count} tokens but the model's context is {Model.Config.Context}");
            var dropped = Math.Max(0, head.Count + tail.Count - Model.Config.Context);
            // The first token has no log-probability without a prefix: condition on end-of-text, as a document start.
            if (head.Count == 0) head = [Tokenizer.EndOfText];
            var tokens = head.Skip(dropped).Concat(tail).ToList();
            batch.Add((tokens, tokens.Count - tail.Count));
            slots.Add((i, dropped));
        }
        if (batch.Count > 0)
        {
            var logProbs = await worker.ScoreBatchAsync(batch);
            for (var j = 0; j < slots.Count; j++)
            {
                var (own, sum) = (logProbs[j], logProbs[j].Sum());
                scores[slots[j].Index] = new ContinuationScore(own.Length, sum, sum / own.Length, slots[j].Dropped);
            }
        }
        return scores;
    }

    internal static void Validate(CompletionRequest request)
    {
        var s = request.Sampling;
        if (request.N < 1) throw new UserInputException($"n must be at least 1, got {request.N}");
        if (s.Temperature < 0 || double.IsNaN(s.Temperature)) throw new UserInputException($"temperature must be >= 0, got {s.Temperature}");
        if (!(s.TopP > 0 && s.TopP <= 1)) throw new UserInputException($"top_p must be in (0, 1], got {s.TopP}");
        if (s.TopK is < 1) throw new UserInputException($"top_k must be at least 1, got {s.TopK}");
        if (s.MaxTokens < 0) throw new UserInputException($"max_tokens must be >= 0, got {s.MaxTokens}");
    }

    /// <summary>
    /// The random stream of a sample seeded <paramref name="seed"/> (SplitMix64 of it). Sample i of a request
    /// seeded s is seeded s + i, as one request for that sample alone would be: so a sample's text depends on
    /// its seed only, never on how many samples were asked for with it (the convention every backend here keeps,
    /// and the one the generation runner's per-sample seeds rely on).
    /// </summary>
    internal static int RowSeed(long seed)
    {
        var z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }

    public void Dispose()
    {
        worker.Dispose();
        Model.Dispose();
    }
}

/// <summary>The log-probability of a continuation's tokens given its prefix.</summary>
/// <param name="Tokens">Tokens of the continuation.</param>
/// <param name="SumLogProb">Their summed log-probability.</param>
/// <param name="MeanLogProb">The mean (NaN for an empty continuation).</param>
/// <param name="PrefixTokensDropped">Prefix tokens left out to fit the context.</param>
public sealed record ContinuationScore(int Tokens, double SumLogProb, double MeanLogProb, int PrefixTokensDropped);
