using CodexSharp.Core.Generation;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Sampling;
using static TorchSharp.torch;

namespace CodexSharp.Model.Tests;

public sealed class SamplingTests
{
    private static SampleJob Job(IReadOnlyList<int> prompt, double temperature = 0, double topP = 1, int topK = 0, int maxTokens = 12, IReadOnlyList<string>? stop = null, int seed = 1) =>
        new(prompt, new RowSampling(temperature, topP, topK), maxTokens, stop ?? [], new Random(seed));

    private static SampleJob Fresh(SampleJob job, int seed) => job with { Random = new Random(seed) };

    [Fact]
    public void Kv_cache_logits_equal_full_recomputation()
    {
        using var model = TinyModels.Create(TinyModels.Micro, seed: 9);
        long[] tokens = [4, 8, 15, 16, 23, 42, 7, 1, 30];
        using var input = tensor(tokens).view(1, tokens.Length);
        using var full = model.Forward(input); // (1, T, V)
        using var cache = new KvCache(model.Config, 1, tokens.Length, ScalarType.Float32);
        using var prefix = input.narrow(1, 0, 5);
        using var prefill = model.Forward(prefix, cache: cache);
        Assert.True(prefill.allclose(full.narrow(1, 0, 5), rtol: 1e-4, atol: 1e-5));
        // Two tokens at once after a cached prefix (explicit offset causal mask), then one at a time.
        using var pair = input.narrow(1, 5, 2);
        using var pairLogits = model.Forward(pair, cache: cache);
        Assert.True(pairLogits.allclose(full.narrow(1, 5, 2), rtol: 1e-4, atol: 1e-5));
        for (var t = 7; t < tokens.Length; t++)
        {
            using var one = input.narrow(1, t, 1);
            using var step = model.Forward(one, cache: cache);
            Assert.True(step.allclose(full.narrow(1, t, 1), rtol: 1e-4, atol: 1e-5), $"position {t}");
        }
    }

    [Fact]
    public void Cached_and_recomputed_sampling_choose_the_same_tokens_for_a_padded_batch()
    {
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 3);
        var tokenizer = TinyModels.P50kTokenizer;
        var jobs = new[]
        {
            Job(tokenizer.Encode("def add(a, b):\n    return"), maxTokens: 10),
            Job(tokenizer.Encode("x"), temperature: 1.0, topP: 0.9, seed: 5, maxTokens: 10),
            Job(tokenizer.Encode("import os\nimport sys\n\nprint("), temperature: 0.7, topK: 20, seed: 6, maxTokens: 7),
        };
        var cached = new BatchSampler(model, tokenizer, useKvCache: true).Run(jobs.Select((j, i) => Fresh(j, i)).ToList());
        var recomputed = new BatchSampler(model, tokenizer, useKvCache: false).Run(jobs.Select((j, i) => Fresh(j, i)).ToList());
        for (var i = 0; i < jobs.Length; i++)
        {
            Assert.Equal(recomputed[i].Tokens, cached[i].Tokens);
            Assert.Equal(recomputed[i].Text, cached[i].Text);
            for (var t = 0; t < cached[i].LogProbs.Count; t++) Assert.Equal(recomputed[i].LogProbs[t], cached[i].LogProbs[t], 3);
        }
        Assert.Equal(7, cached[2].Tokens.Count);
        Assert.Equal("length", cached[2].FinishReason);
    }

    [Fact]
    public void A_padded_row_continues_exactly_as_it_does_alone()
    {
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 8);
        var tokenizer = TinyModels.P50kTokenizer;
        var sampler = new BatchSampler(model, tokenizer);
        var shortPrompt = tokenizer.Encode("return");
        var alone = sampler.Run([Job(shortPrompt)])[0];
        var batched = sampler.Run([Job(tokenizer.Encode("def a_much_longer_prompt(x, y, z):\n    ")), Job(shortPrompt)])[1];
        Assert.Equal(alone.Tokens, batched.Tokens);
        for (var t = 0; t < alone.LogProbs.Count; t++) Assert.Equal(alone.LogProbs[t], batched.LogProbs[t], 3);
    }

    [Fact]
    public void Rows_that_share_a_prompt_or_finish_early_continue_exactly_as_each_does_alone()
    {
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 17);
        var tokenizer = TinyModels.P50kTokenizer;
        var shared = tokenizer.Encode("def solve(items):\n    ");
        // Four samples of one prompt (one prefill) beside another prompt; rows end after 3, 5, 8 and 12 tokens, so
        // finished rows first ride along as placeholders and then the batch is compacted.
        SampleJob[] jobs =
        [
            Job(shared, temperature: 0.9, topP: 0.95, seed: 1, maxTokens: 3),
            Job(shared, temperature: 0.9, topP: 0.95, seed: 2, maxTokens: 5),
            Job(tokenizer.Encode("import re"), temperature: 1.1, topK: 50, seed: 3, maxTokens: 12),
            Job(shared, temperature: 0.9, topP: 0.95, seed: 4, maxTokens: 8),
            Job(shared, seed: 5, maxTokens: 12),
        ];
        foreach (var useKvCache in new[] { true, false })
        {
            var sampler = new BatchSampler(model, tokenizer, useKvCache);
            var together = sampler.Run(jobs.Select((j, i) => Fresh(j, i)).ToList());
            for (var i = 0; i < jobs.Length; i++)
            {
                var alone = sampler.Run([Fresh(jobs[i], i)])[0];
                Assert.Equal(alone.Tokens, together[i].Tokens);
                Assert.Equal(jobs[i].MaxTokens, together[i].Tokens.Count);
                for (var t = 0; t < alone.LogProbs.Count; t++) Assert.Equal(alone.LogProbs[t], together[i].LogProbs[t], 3);
            }
            Assert.NotEqual(together[0].Tokens, together[1].Tokens.Take(3));
        }
    }

    [Fact]
    public void Logprobs_are_the_untempered_model_log_probabilities_of_the_chosen_tokens()
    {
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 12);
        var tokenizer = TinyModels.P50kTokenizer;
        var prompt = tokenizer.Encode("for i in range(");
        var result = new BatchSampler(model, tokenizer).Run([Job(prompt, temperature: 1.7, topP: 0.8, seed: 3, maxTokens: 8)])[0];
        var score = SequenceScorer.Score(model, [.. prompt, .. result.Tokens]);
        var expected = score.LogProbs.Skip(prompt.Count - 1).ToList();
        Assert.Equal(expected.Count, result.LogProbs.Count);
        for (var t = 0; t < expected.Count; t++) Assert.Equal(expected[t], result.LogProbs[t], 3);
    }

    [Fact]
    public void Same_seed_same_samples_and_different_seeds_differ()
    {
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 4);
        var tokenizer = TinyModels.P50kTokenizer;
        var sampler = new BatchSampler(model, tokenizer);
        var prompt = tokenizer.Encode("def f(");
        List<SampleJob> Jobs(int seed) => Enumerable.Range(0, 4).Select(i => Job(prompt, temperature: 1.0, topP: 0.95, seed: seed * 10 + i, maxTokens: 16)).ToList();
        var first = sampler.Run(Jobs(1));
        var again = sampler.Run(Jobs(1));
        var other = sampler.Run(Jobs(2));
        Assert.Equal(first.Select(r => r.Text), again.Select(r => r.Text));
        Assert.NotEqual(first.Select(r => r.Text), other.Select(r => r.Text));
        Assert.True(first.Select(r => r.Text).Distinct().Count() > 1, "different rows should differ");
    }

    [Fact]
    public void Generation_stops_at_the_first_stop_sequence_and_leaves_it_out()
    {
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 21);
        var tokenizer = TinyModels.P50kTokenizer;
        var sampler = new BatchSampler(model, tokenizer);
        var prompt = tokenizer.Encode("class A:\n");
        var free = sampler.Run([Job(prompt, temperature: 1.0, seed: 2, maxTokens: 40)])[0];
        Assert.True(free.Text.Length > 12, free.Text);
        var stop = free.Text.Substring(free.Text.Length / 2, 3);
        var stopped = sampler.Run([Job(prompt, temperature: 1.0, seed: 2, maxTokens: 40, stop: ["\u0001never", stop])])[0];
        Assert.Equal(free.Text[..free.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal("stop", stopped.FinishReason);
        Assert.Equal(stopped.Tokens.Count, stopped.LogProbs.Count);
        Assert.StartsWith(stopped.Text, tokenizer.Decode(stopped.Tokens));
        Assert.Equal("length", free.FinishReason);
        Assert.Equal(40, free.Tokens.Count);
    }

    [Fact]
    public void Top_k_of_one_and_a_tiny_nucleus_are_greedy()
    {
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 5);
        var tokenizer = TinyModels.P50kTokenizer;
        var sampler = new BatchSampler(model, tokenizer);
        var prompt = tokenizer.Encode("while True:");
        var greedy = sampler.Run([Job(prompt)])[0];
        var topK = sampler.Run([Job(prompt, temperature: 2.0, topK: 1, seed: 9)])[0];
        var topP = sampler.Run([Job(prompt, temperature: 0.5, topP: 1e-6, seed: 9)])[0];
        Assert.Equal(greedy.Tokens, topK.Tokens);
        Assert.Equal(greedy.Tokens, topP.Tokens);
    }

    [Fact]
    public void Token_chooser_applies_temperature_top_k_and_top_p_to_hand_made_distributions()
    {
        // Probabilities 0.5, 0.3, 0.15, 0.05 (logits are their logs).
        using var logits = tensor(new[] { 0.5f, 0.3f, 0.15f, 0.05f }).log().view(1, 4);
        (long, float) Pick(RowSampling row, double u)
        {
            var (tokens, logProbs) = TokenChooser.Choose(logits, [row], [u]);
            return (tokens[0], logProbs[0]);
        }
        // Nucleus 0.7 keeps {0, 1} (mass 0.8); u = 0.7 lands at 0.56 of it, past token 0's 0.5.
        Assert.Equal(0L, Pick(new RowSampling(1, 0.7, 0), 0.6).Item1);
        Assert.Equal(1L, Pick(new RowSampling(1, 0.7, 0), 0.7).Item1);
        Assert.Equal(1L, Pick(new RowSampling(1, 0.7, 0), 0.999).Item1);
        // Without a cut, u = 0.9 reaches token 2 (0.8 .. 0.95).
        Assert.Equal(2L, Pick(new RowSampling(1, 1, 0), 0.9).Item1);
        Assert.Equal(3L, Pick(new RowSampling(1, 1, 0), 0.99).Item1);
        // Top-k 2 renormalises {0.5, 0.3}: u = 0.7 → 0.56 → token 1.
        Assert.Equal(1L, Pick(new RowSampling(1, 1, 2), 0.7).Item1);
        // Greedy ignores u; log-probs are untempered.
        var (greedyToken, greedyLogProb) = Pick(new RowSampling(0, 1, 0), 0.99);
        Assert.Equal(0L, greedyToken);
        Assert.Equal(Math.Log(0.5), greedyLogProb, 5);
        // At T = 0.1 token 0 holds 99.4% of the tempered mass; u = 0.997 reaches token 1, reported untempered.
        Assert.Equal(Math.Log(0.3), Pick(new RowSampling(0.1, 1, 0), 0.997).Item2, 5);
        // A very low temperature concentrates the mass on token 0 whatever u is.
        Assert.Equal(0L, Pick(new RowSampling(0.01, 1, 0), 0.999).Item1);
    }

    [Fact]
    public void A_row_chooses_the_same_token_alone_and_in_a_batch()
    {
        // Rows of every kind side by side: greedy, nucleus on a flat row, nucleus on a peaked row, top-k.
        RowSampling[] rows = [new(0, 1, 0), new(0.8, 0.95, 0), new(1.0, 0.5, 0), new(0.7, 1, 5), new(1.2, 0.9, 100)];
        using var flatSeed = new TorchSharp.torch.Generator(3);
        using var peakedSeed = new TorchSharp.torch.Generator(4);
        using var flat = randn(rows.Length, 5000, generator: flatSeed) * 0.05;
        using var peaked = randn(rows.Length, 5000, generator: peakedSeed) * 4;
        using var logits = cat([flat.narrow(0, 0, 2), peaked.narrow(0, 2, 3)], 0); // (5, 5000)
        double[] uniforms = [0.5, 0.31, 0.77, 0.05, 0.999];
        var (together, togetherLogProbs) = TokenChooser.Choose(logits, rows, uniforms);
        using var logSoftmax = logits.log_softmax(1);
        for (var row = 0; row < rows.Length; row++)
        {
            using var alone = logits.narrow(0, row, 1);
            var (token, logProb) = TokenChooser.Choose(alone, [rows[row]], [uniforms[row]]);
            Assert.Equal(together[row], token[0]);
            Assert.Equal(togetherLogProbs[row], logProb[0]);
            Assert.Equal(logSoftmax[row, together[row]].item<float>(), logProb[0], 4);
        }
    }

    [Fact]
    public void The_generator_merges_concurrent_requests_and_keeps_each_its_own_results()
    {
        var directory = TinyModels.TempDirectory();
        using (var model = TinyModels.Create(TinyModels.Tiny, seed: 13)) Checkpoints.LocalCheckpoint.Save(model, directory);
        using var generator = LocalModelGenerator.Load("local:" + directory);
        var greedy = new SamplingOptions { Temperature = 0, MaxTokens = 6, Stop = [] };
        var prompts = new[] { "def", "import numpy as np\n", "x = [", "# comment\n\n" };
        var alone = prompts.Select(p => generator.GenerateAsync(new CompletionRequest(p, 1, greedy)).Result[0].Text).ToList();
        var together = Task.WhenAll(prompts.Select(p => generator.GenerateAsync(new CompletionRequest(p, 2, greedy)))).Result;
        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.All(together[i], c => Assert.Equal(alone[i], c.Text));
            Assert.All(together[i], c => Assert.Equal(6, c.Tokens!.Count));
        }
        var score = generator.ScoreAsync("def f(x):\n    return x\n").Result;
        Assert.Equal(score.Tokens.Count - 1, score.LogProbs.Count);
        Assert.All(score.LogProbs, lp => Assert.True(lp < 0));
    }

    [Fact]
    public async Task Temperatures_too_small_to_scale_by_decode_greedily()
    {
        var directory = TinyModels.TempDirectory();
        using (var model = TinyModels.Create(TinyModels.Tiny, seed: 17)) Checkpoints.LocalCheckpoint.Save(model, directory);
        using var generator = LocalModelGenerator.Load("local:" + directory);
        async Task<GeneratedCompletion> At(double temperature) =>
            (await generator.GenerateAsync(new CompletionRequest("def add(a, b):\n", 1, new SamplingOptions { Temperature = temperature, MaxTokens = 12, Stop = [], Seed = 3 })))[0];
        var greedy = await At(0);
        foreach (var tiny in new[] { 1e-6, 1e-30, 1e-40, 1e-300, double.Epsilon })
        {
            var sampled = await At(tiny);
            Assert.Equal(greedy.Text, sampled.Text);
            Assert.Equal(greedy.Tokens!.Select(t => t.LogProb), sampled.Tokens!.Select(t => t.LogProb));
        }
    }
}
