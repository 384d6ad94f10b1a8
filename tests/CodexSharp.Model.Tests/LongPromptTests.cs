using CodexSharp.Core.Generation;
using CodexSharp.Model.Sampling;

namespace CodexSharp.Model.Tests;

/// <summary>In-process generation fits a long prompt to the context by keeping its last tokens, and says how many it dropped.</summary>
public sealed class LongPromptTests
{
    [Theory]
    [InlineData(10, 20, 10, 20)] // fits: untouched
    [InlineData(100, 300, 100, 156)] // max_tokens larger than the room: the prompt stays whole, new tokens capped
    [InlineData(400, 50, 206, 50)] // long prompt: its last 206 tokens leave room for all 50 new ones
    [InlineData(400, 300, 128, 128)] // both too long: the prompt keeps half the context
    [InlineData(300, 0, 255, 0)] // nothing to generate: at most context - 1 prompt tokens
    [InlineData(256, 0, 255, 0)]
    public void The_prompt_keeps_its_last_tokens_and_at_least_half_the_context(int prompt, int maxTokens, int kept, int newTokens)
    {
        Assert.Equal((kept, newTokens), LocalModelGenerator.FitToContext(prompt, maxTokens, 256));
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_left_truncated_and_the_drop_is_reported()
    {
        var directory = TinyModels.TempDirectory();
        using (var model = TinyModels.Create(TinyModels.Tiny, seed: 23)) Checkpoints.LocalCheckpoint.Save(model, directory);
        using var generator = LocalModelGenerator.Load("local:" + directory);
        var tokenizer = generator.Tokenizer;
        var prompt = string.Concat(Enumerable.Range(0, 200).Select(i => $"x{i} = {i}\n"));
        var promptTokens = tokenizer.Encode(prompt);
        Assert.True(promptTokens.Count > 256, $"{promptTokens.Count} tokens");
        var greedy = new SamplingOptions { Temperature = 0, MaxTokens = 40, Stop = [] };
        var completions = await generator.GenerateAsync(new CompletionRequest(prompt, 2, greedy));
        Assert.All(completions, c => Assert.Equal(promptTokens.Count - (256 - 40), c.PromptTokensDropped));
        Assert.All(completions, c => Assert.Equal(40, c.Tokens!.Count));
        // What the model saw is exactly the prompt's last 216 tokens.
        var kept = promptTokens.Skip(promptTokens.Count - 216).ToList();
        var direct = new BatchSampler(generator.Model, tokenizer).Run([new SampleJob(kept, new RowSampling(0, 1, 0), 40, [], new Random(0))])[0];
        Assert.Equal(direct.Text, completions[0].Text);

        var whole = await generator.GenerateAsync(new CompletionRequest("def f(x):\n", 1, greedy));
        Assert.Equal(0, whole[0].PromptTokensDropped);
    }

    [Fact]
    public async Task Without_truncation_a_prompt_of_the_context_or_longer_is_an_input_error()
    {
        var directory = TinyModels.TempDirectory();
        using (var model = TinyModels.Create(TinyModels.Tiny, seed: 23)) Checkpoints.LocalCheckpoint.Save(model, directory);
        using var generator = LocalModelGenerator.Load("local:" + directory, new LocalModelOptions { TruncateLongPrompts = false });
        var prompt = string.Concat(Enumerable.Range(0, 200).Select(i => $"x{i} = {i}\n"));
        var error = await Assert.ThrowsAsync<Core.UserInputException>(() => generator.GenerateAsync(new CompletionRequest(prompt, 1, new SamplingOptions { MaxTokens = 4 })));
        Assert.Contains("context is 256", error.Message);
    }
}
