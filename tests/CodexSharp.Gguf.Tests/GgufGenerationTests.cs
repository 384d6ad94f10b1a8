using CodexSharp.Core.Generation;
using CodexSharp.Model;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Testing;
using Xunit.Abstractions;

namespace CodexSharp.Gguf.Tests;

/// <summary>The shipped model exported once to f32 GGUF, shared by the generation tests.</summary>
public sealed class ShippedGguf : IDisposable
{
    private readonly TempDir dir = new();

    public ShippedGguf()
    {
        var (model, _) = LocalCheckpoint.Load(ShippedDirectory);
        using (model) GgufExport.Export(model, "codexsharp-7m", Path, "f32");
    }

    public static string ShippedDirectory => System.IO.Path.Combine(TestPaths.RepoRoot, "models", "codexsharp-7m");

    public string Path => dir.File("codexsharp-7m.gguf");

    public void Dispose() => dir.Dispose();
}

public sealed class GgufGenerationTests(ShippedGguf gguf, ITestOutputHelper output) : IClassFixture<ShippedGguf>
{
    private static readonly SamplingOptions Paper = new() { Temperature = 0.8, TopP = 0.95, MaxTokens = 48, Seed = 1234 };

    private GgufModelGenerator Open(int rows, int? threads = null) =>
        GgufModelGenerator.Load(ModelSpec.Parse("gguf:" + gguf.Path), new GgufOptions { MaxBatchRows = rows, Threads = threads });

    [Fact]
    public async Task Seeded_samples_are_the_same_alone_in_any_batch_and_with_any_thread_count()
    {
        var prompt = RealCode.HumanEval[2].Prompt;
        var request = new CompletionRequest(prompt, 6, Paper);
        IReadOnlyList<GeneratedCompletion> Key(IReadOnlyList<GeneratedCompletion> c) => c;
        List<string> Texts(IReadOnlyList<GeneratedCompletion> c) =>
            c.Select(x => x.Text + "|" + string.Join(",", x.Tokens!.Select(t => t.LogProb.ToString("R")))).ToList();

        List<string> reference;
        using (var batched = Open(rows: 32)) reference = Texts(Key(await batched.GenerateAsync(request)));
        Assert.True(reference.Distinct().Count() > 1, "different samples of one prompt should differ");
        using (var single = Open(rows: 1)) Assert.Equal(reference, Texts(await single.GenerateAsync(request)));
        using (var four = Open(rows: 4, threads: 1)) Assert.Equal(reference, Texts(await four.GenerateAsync(request)));
        // Sample i of a larger request is sample i of a smaller one.
        using (var more = Open(rows: 32)) Assert.Equal(reference, Texts(await more.GenerateAsync(request with { N = 9 }))[..6]);
    }

    [Fact]
    public async Task Greedy_decoding_gives_the_tokens_our_own_sampler_gives()
    {
        using var ours = LocalModelGenerator.Load("local:" + ShippedGguf.ShippedDirectory);
        using var theirs = Open(rows: 1);
        var greedy = new SamplingOptions { Temperature = 0, MaxTokens = 64, Seed = 1 };
        var same = 0;
        var prompts = RealCode.HumanEval.Take(5).ToList();
        foreach (var (taskId, prompt, _) in prompts)
        {
            var a = (await ours.GenerateAsync(new CompletionRequest(prompt, 1, greedy)))[0];
            var b = (await theirs.GenerateAsync(new CompletionRequest(prompt, 1, greedy)))[0];
            output.WriteLine($"{taskId}: {(a.Text == b.Text ? "same" : "DIFFERENT")} ({a.Tokens!.Count} tokens)");
            if (a.Text == b.Text) same++;
            Assert.Equal(a.Text, b.Text);
            Assert.Equal(a.FinishReason, b.FinishReason);
            for (var i = 0; i < a.Tokens.Count; i++) Assert.True(Math.Abs(a.Tokens[i].LogProb - b.Tokens![i].LogProb) < 5e-3, $"{taskId} token {i}");
        }
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_left_truncated_and_says_so()
    {
        using var generator = Open(rows: 2);
        var prompt = string.Concat(RealCode.HumanEval.Take(6).Select(p => p.Prompt + p.Solution)); // well over 512 tokens
        Assert.True(generator.CountTokens(prompt) > generator.Context);
        var samples = await generator.GenerateAsync(new CompletionRequest(prompt, 2, Paper with { MaxTokens = 16 }));
        Assert.All(samples, s => Assert.Equal(generator.CountTokens(prompt) - (generator.Context - 16), s.PromptTokensDropped));
        using var strict = GgufModelGenerator.Load(ModelSpec.Parse("gguf:" + gguf.Path), new GgufOptions { TruncateLongPrompts = false });
        Assert.Contains("context", (await Assert.ThrowsAsync<CodexSharp.Core.UserInputException>(() => strict.GenerateAsync(new CompletionRequest(prompt, 1, Paper)))).Message);
    }

    [Fact]
    public async Task Scores_a_continuation_as_sampling_produced_it()
    {
        using var generator = Open(rows: 2);
        var prompt = RealCode.HumanEval[0].Prompt;
        var sample = (await generator.GenerateAsync(new CompletionRequest(prompt, 1, Paper with { Stop = [] })))[0];
        Assert.True(sample.Tokens!.Count > 0);
        var score = (await generator.ScoreContinuationsAsync([(prompt, sample.Text)]))[0];
        // Re-tokenising the sampled text can merge its tokens differently; when it does not, the sum must agree.
        if (generator.CountTokens(sample.Text) == sample.Tokens.Count)
            Assert.Equal(sample.Tokens.Sum(t => t.LogProb), score.SumLogProb, 3);
        var whole = await generator.ScoreAsync(prompt);
        Assert.Equal(generator.CountTokens(prompt) - 1, whole.LogProbs.Count);
        Assert.All(whole.LogProbs, lp => Assert.True(lp <= 0));
    }
}
