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
public sealed class LocalModelGenerator : ICodeGenerator, ITokenCounter
{
    private readonly ModelWorker worker;
    private readonly LocalModelOptions options;

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

    public async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var prompt = Tokenizer.Encode(request.Prompt);
        // An empty prompt starts from <|endoftext|>, as GPT-2 was trained to.
        if (prompt.Count == 0) prompt = [Tokenizer.EndOfText];
        var sampling = request.Sampling;
        var row = new RowSampling(sampling.Temperature, sampling.TopP, sampling.TopK ?? 0);
        var baseSeed = sampling.Seed ?? Random.Shared.NextInt64();
        var jobs = Enumerable.Range(0, request.N)
            .Select(i => new SampleJob(prompt, row, sampling.MaxTokens, sampling.Stop, new Random(RowSeed(baseSeed, i))))
            .ToList();
        var chunks = jobs.Chunk(Math.Max(1, options.MaxBatchRows)).Select(chunk => worker.SampleAsync(chunk)).ToList();
        var results = (await Task.WhenAll(chunks).WaitAsync(cancellationToken)).SelectMany(r => r);
        return results.Select(r => new GeneratedCompletion(
            r.Text,
            r.FinishReason,
            sampling.LogProbs ? r.Tokens.Select((t, i) => new TokenLogProb(Tokenizer.DecodeToken(t), r.LogProbs[i])).ToList() : null)).ToList();
    }

    public int CountTokens(string text) => Tokenizer.Encode(text).Count;

    /// <summary>Tokens of <paramref name="text"/> and log p(token i+1 | tokens 0..i) for each.</summary>
    public Task<SequenceScore> ScoreAsync(string text) => worker.ScoreAsync(Tokenizer.Encode(text));

    private static void Validate(CompletionRequest request)
    {
        var s = request.Sampling;
        if (request.N < 1) throw new UserInputException($"n must be at least 1, got {request.N}");
        if (s.Temperature < 0 || double.IsNaN(s.Temperature)) throw new UserInputException($"temperature must be >= 0, got {s.Temperature}");
        if (!(s.TopP > 0 && s.TopP <= 1)) throw new UserInputException($"top_p must be in (0, 1], got {s.TopP}");
        if (s.TopK is < 1) throw new UserInputException($"top_k must be at least 1, got {s.TopK}");
        if (s.MaxTokens < 0) throw new UserInputException($"max_tokens must be >= 0, got {s.MaxTokens}");
    }

    /// <summary>Sample i of a request seeded s gets its own stream (SplitMix64 of s and i).</summary>
    private static int RowSeed(long seed, int index)
    {
        var z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL * (ulong)(index + 1));
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
