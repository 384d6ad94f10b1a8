using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Model;
using CodexSharp.Model.Sampling;

namespace CodexSharp.Gguf;

/// <summary>
/// A GGUF model (<c>gguf:PATH</c>) as a generator and scorer, with the protocol our own models follow: the model's own
/// tokenizer, temperature, top-k and top-p cut exactly, the stop sequences cut from the text, left-truncation of long
/// prompts, log-probabilities of every sampled token under the untempered distribution, and seeded samples that
/// depend only on (seed, sample index): each sample draws from its own generator and the sampling is done here from
/// llama.cpp's logits, which for a sample depend only on its own tokens (see <see cref="GgufModel"/>).
/// </summary>
public sealed class GgufModelGenerator : IInProcessModel
{
    private readonly GgufModel model;
    private readonly GgufOptions options;
    private readonly int startToken;
    private int warnedAboutMaxTokens;

    public GgufModelGenerator(GgufModel model, string modelName, GgufOptions? options = null)
    {
        this.model = model;
        this.options = options ?? new GgufOptions();
        ModelName = modelName;
        // An empty prompt (or a continuation with no prefix) starts from the beginning-of-text token.
        startToken = model.StartToken;
        FineTunedTask = model.Header.String("codexsharp.task");
    }

    /// <summary>Loads a GGUF file (<c>gguf:PATH</c>).</summary>
    public static GgufModelGenerator Load(ModelSpec spec, GgufOptions? options = null)
    {
        var path = Path.GetFullPath(spec.Model);
        options ??= new GgufOptions();
        return new GgufModelGenerator(GgufModel.Load(path, options), "gguf:" + Path.GetFileName(path), options);
    }

    public string ModelName { get; }

    public string? FineTunedTask { get; }

    public int Context => model.Context;

    public GgufModel Model => model;

    public int CountTokens(string text) => model.Tokenize(text).Length;

    public async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        LocalModelGenerator.Validate(request);
        IReadOnlyList<int> prompt = model.Tokenize(request.Prompt, start: true);
        if (prompt.Count == 0) prompt = [startToken];
        var sampling = request.Sampling;
        var maxTokens = sampling.MaxTokens;
        var dropped = 0;
        if (options.TruncateLongPrompts)
        {
            var (kept, newTokens) = LocalModelGenerator.FitToContext(prompt.Count, maxTokens, model.Context);
            dropped = prompt.Count - kept;
            prompt = prompt.Skip(dropped).ToList();
            if (newTokens < maxTokens && Interlocked.Exchange(ref warnedAboutMaxTokens, 1) == 0)
                Console.Error.WriteLine($"warning: max_tokens {maxTokens} does not fit {ModelName}'s context of {model.Context} tokens beside a long prompt; completions get {newTokens}");
            maxTokens = newTokens;
        }
        else if (prompt.Count >= model.Context)
        {
            throw new UserInputException($"the prompt is {prompt.Count} tokens but the model's context is {model.Context}");
        }
        var row = new RowSampling(sampling.Temperature, sampling.TopP, sampling.TopK ?? 0);
        var baseSeed = sampling.Seed ?? Random.Shared.NextInt64();
        var rows = Enumerable.Range(0, request.N).Select(i => (row, new Random(LocalModelGenerator.RowSeed(unchecked(baseSeed + i))))).ToList();
        var results = await model.SampleAsync(prompt, rows, maxTokens, tokens => StopSequences.FirstStop(model.Decode(tokens), sampling.Stop) >= 0, cancellationToken);
        return results.Select(r =>
        {
            var (tokens, logProbs, text) = (r.Tokens, r.LogProbs, model.Decode(r.Tokens));
            var stop = StopSequences.FirstStop(text, sampling.Stop);
            if (stop >= 0)
            {
                var kept = 0;
                while (kept < tokens.Count && model.Decode(tokens.Take(kept)).Length < stop) kept++;
                (tokens, logProbs, text) = (tokens[..kept], logProbs[..kept], text[..stop]);
            }
            return new GeneratedCompletion(text, r.FinishReason,
                sampling.LogProbs ? tokens.Select((t, i) => new TokenLogProb(model.Decode([t]), logProbs[i])).ToList() : null,
                PromptTokensDropped: dropped);
        }).ToList();
    }

    public async Task<SequenceScore> ScoreAsync(string text)
    {
        var tokens = model.Tokenize(text, start: true);
        if (tokens.Length == 0) throw new UserInputException("the text is empty: nothing to score");
        if (tokens.Length > model.Context) throw new UserInputException($"the text is {tokens.Length} tokens but the model's context is {model.Context}");
        return new SequenceScore(tokens, tokens.Length == 1 ? [] : await model.ScoreAsync(tokens, 1));
    }

    public async Task<IReadOnlyList<ContinuationScore>> ScoreContinuationsAsync(IReadOnlyList<(string Prefix, string Continuation)> pairs)
    {
        var scores = new List<ContinuationScore>(pairs.Count);
        foreach (var (prefix, continuation) in pairs)
        {
            var head = model.Tokenize(prefix, start: true);
            var tail = model.Tokenize(continuation);
            if (tail.Length == 0)
            {
                scores.Add(new ContinuationScore(0, 0, double.NaN, 0));
                continue;
            }
            if (tail.Length >= model.Context) throw new UserInputException($"the continuation is {tail.Length} tokens but the model's context is {model.Context}");
            var dropped = Math.Max(0, head.Length + tail.Length - model.Context);
            if (head.Length == 0) head = [startToken];
            var tokens = head.Skip(dropped).Concat(tail).ToList();
            var own = await model.ScoreAsync(tokens, tokens.Count - tail.Length);
            var sum = own.Sum();
            scores.Add(new ContinuationScore(own.Length, sum, sum / own.Length, dropped));
        }
        return scores;
    }

    public void Dispose() => model.Dispose();
}
