using CodexSharp.Core.Generation;
using CodexSharp.Model.Sampling;

namespace CodexSharp.Model.Tests;

/// <summary>
/// A seeded row's tokens depend only on its prompt, settings and seed: not on its batch neighbours, on where
/// compaction happens, or on which requests the worker merged. Realistic lengths (tens of tokens of prompt, 96 new
/// tokens, n = 8) on the tiny preset, whose random weights give flat distributions, where a last-bit difference in
/// the logits most easily moves the nucleus cut.
/// </summary>
public sealed class SeededSamplingTests
{
    private static readonly string[] Prompts =
    [
        "def add(a, b):\n",
        "from typing import List\n\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    \"\"\" Check if any two numbers are closer than the threshold.\n    \"\"\"\n",
        "import math\n\ndef circle_area(r):\n    \"\"\"Area of a circle of radius r.\"\"\"\n",
        "def fib(n: int) -> int:\n    \"\"\"Return the n-th Fibonacci number.\n    >>> fib(10)\n    55\n    \"\"\"\n",
    ];

    private static List<SampleJob> Jobs(int prompt, int maxTokens = 96) =>
        Enumerable.Range(0, 8)
            .Select(i => new SampleJob(TinyModels.P50kTokenizer.Encode(Prompts[prompt]), new RowSampling(0.8, 0.95, 0), maxTokens, [], new Random(prompt * 100 + i)))
            .ToList();

    [Fact]
    public void A_seeded_row_samples_the_same_tokens_alone_batched_and_across_compaction()
    {
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 21);
        var sampler = new BatchSampler(model, TinyModels.P50kTokenizer);
        // The first and last row of each request alone: the reference (every row alone would cost four times as much;
        // the others are held to the same tokens through the batches below, which all must agree).
        int[] lone = [0, 7];
        var alone = Enumerable.Range(0, Prompts.Length).Select(p => Jobs(p).Select((job, i) => lone.Contains(i) ? sampler.Run([job])[0] : null).ToList()).ToList();
        // Each request (n = 8) alone, all four together (32 rows, left-padded), and together with short rows that
        // finish after a few tokens so that the batch is compacted under the others.
        var requests = Enumerable.Range(0, Prompts.Length).Select(p => sampler.Run(Jobs(p))).ToList();
        var together = sampler.Run(Enumerable.Range(0, Prompts.Length).SelectMany(p => Jobs(p)).ToList());
        var shortRows = Enumerable.Range(0, Prompts.Length).SelectMany(p => Jobs(p, maxTokens: 3 + p)).ToList();
        var compacted = sampler.Run([.. Jobs(1), .. shortRows.Take(12), .. Jobs(3), .. shortRows.Skip(12)]);
        for (var p = 0; p < Prompts.Length; p++)
        {
            for (var i = 0; i < 8; i++)
            {
                if (alone[p][i] is { } reference) AssertSame(reference, requests[p][i], $"prompt {p} sample {i} alone and in its request");
                AssertSame(requests[p][i], together[p * 8 + i], $"prompt {p} sample {i} in the 32-row batch");
                if (p == 1) AssertSame(requests[p][i], compacted[i], $"prompt 1 sample {i} across compaction");
                if (p == 3) AssertSame(requests[p][i], compacted[20 + i], $"prompt 3 sample {i} across compaction");
            }
        }
        Assert.All(requests.SelectMany(r => r), r => Assert.Equal(96, r.Tokens.Count));
    }

    [Fact]
    public async Task Seeded_requests_repeat_exactly_whatever_the_worker_merges_them_with()
    {
        var directory = TinyModels.TempDirectory();
        using (var model = TinyModels.Create(TinyModels.Tiny, seed: 22)) Checkpoints.LocalCheckpoint.Save(model, directory);
        using var generator = LocalModelGenerator.Load("local:" + directory);
        CompletionRequest Request(int p) => new(Prompts[p], 8, new SamplingOptions { Temperature = 0.8, TopP = 0.95, MaxTokens = 80, Stop = [], Seed = 1000 + p });
        var alone = new List<IReadOnlyList<GeneratedCompletion>>();
        foreach (var p in Enumerable.Range(0, Prompts.Length)) alone.Add(await generator.GenerateAsync(Request(p)));
        for (var round = 0; round < 2; round++)
        {
            var concurrent = await Task.WhenAll(Enumerable.Range(0, Prompts.Length).Select(p => generator.GenerateAsync(Request(p))));
            for (var p = 0; p < Prompts.Length; p++)
            {
                Assert.Equal(alone[p].Select(c => c.Text), concurrent[p].Select(c => c.Text));
                Assert.Equal(alone[p].Select(c => c.Tokens!.Select(t => t.LogProb)), concurrent[p].Select(c => c.Tokens!.Select(t => t.LogProb)));
            }
        }
    }

    private static void AssertSame(SampleResult expected, SampleResult actual, string what)
    {
        Assert.True(expected.Tokens.SequenceEqual(actual.Tokens), $"{what}: tokens differ");
        Assert.True(expected.LogProbs.SequenceEqual(actual.LogProbs), $"{what}: log-probabilities differ");
    }
}
