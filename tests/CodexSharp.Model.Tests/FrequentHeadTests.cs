using CodexSharp.Core;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Tests;

/// <summary>The frequent-token head: a few embedding rows scored one by one, every other id through one shared bucket.</summary>
public sealed class FrequentHeadTests
{
    private static readonly int[] Frequent = [0, 3, 4, 7, 11, 12, 20, 31, 40, 49];

    private static GptConfig Headed => TinyModels.Micro with { HeadTokens = Frequent };

    private static readonly long[] Tokens = [3, 17, 42, 0, 9, 9, 31, 5];

    /// <summary>A full-head model and a frequent-head model with the same weights; the bucket row is id <paramref name="bucketLike"/>'s embedding.</summary>
    private static (GptModel Full, GptModel Headed) Pair(int bucketLike)
    {
        var full = TinyModels.Create(TinyModels.Micro, seed: 7);
        var headed = new GptModel(Headed);
        using (no_grad())
        using (var eight = 8.ToScalar())
        {
            foreach (var (_, p) in full.named_parameters()) p.mul_(eight); // non-trivial attention and GELU
            var source = full.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, p) in headed.named_parameters())
            {
                if (name == "rare_head") p.copy_(source["transformer.wte.weight"].narrow(0, bucketLike, 1));
                else p.copy_(source[name]);
            }
        }
        full.eval();
        headed.eval();
        return (full, headed);
    }

    private static float[] Logits(GptModel model, bool inference)
    {
        using var input = tensor(Tokens).view(1, Tokens.Length);
        using var mode = inference ? inference_mode() : null;
        using var logits = model.Forward(input);
        return logits.data<float>().ToArray();
    }

    [Fact]
    public void Frequent_ids_keep_their_logits_and_the_rest_share_the_bucket_evenly()
    {
        const int bucketLike = 17; // a rare id: the bucket's logit is then id 17's full-head logit
        var (full, headed) = Pair(bucketLike);
        using var _ = full;
        using var __ = headed;
        var vocab = TinyModels.Micro.VocabSize;
        var rareOffset = Math.Log(vocab - Frequent.Length);
        foreach (var inference in new[] { false, true })
        {
            var expected = Logits(full, inference);
            var actual = Logits(headed, inference);
            for (var t = 0; t < Tokens.Length; t++)
            {
                for (var v = 0; v < vocab; v++)
                {
                    var want = Frequent.Contains(v) ? expected[t * vocab + v] : expected[t * vocab + bucketLike] - rareOffset;
                    Assert.True(Math.Abs(want - actual[t * vocab + v]) < 1e-3, $"position {t}, id {v}: {actual[t * vocab + v]} against {want} (inference {inference})");
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_training_loss_is_minus_the_log_probability_under_the_sampled_distribution(bool headed)
    {
        // Targets mix frequent ids (0, 3, 7, 49) and rare ones (5, 17, 42, 9): each costs −log softmax(logits)[target].
        var (full, frequent) = Pair(bucketLike: 17);
        using var _ = full;
        using var __ = frequent;
        var model = headed ? frequent : full;
        model.train();
        long[] targets = [0, 5, 17, 3, 42, 7, 9, 49];
        using var input = tensor(Tokens).view(1, Tokens.Length);
        using var targetIds = tensor(targets);
        using var loss = model.TokenLoss(input, null, null, targetIds);
        using var logits = model.Forward(input).view(Tokens.Length, -1);
        using var logProbs = logits.log_softmax(1);
        var expected = targets.Select((id, t) => -logProbs[t, id].item<float>()).ToArray();
        var actual = loss.data<float>().ToArray();
        for (var t = 0; t < targets.Length; t++) Assert.Equal(expected[t], actual[t], 3);

        // Only some positions (fine-tuning's masked loss): the same numbers for those.
        using var only = tensor(new long[] { 1, 6 });
        using var picked = tensor(new[] { targets[1], targets[6] });
        using var some = model.TokenLoss(input, null, null, picked, only);
        Assert.Equal(expected[1], some[0].item<float>(), 3);
        Assert.Equal(expected[6], some[1].item<float>(), 3);

        // Gradients reach the bucket row exactly when a rare id is a target.
        loss.sum().backward();
        if (headed)
        {
            var bucket = model.named_parameters().Single(p => p.name == "rare_head").parameter;
            Assert.True(bucket.grad!.abs().sum().item<float>() > 0);
        }
    }

    [Fact]
    public void A_frequent_head_checkpoint_round_trips_with_its_ids_on_one_line()
    {
        // The p50k vocabulary (a checkpoint's tokenizer must cover it), narrow layers.
        using var headed = TinyModels.Create(TinyModels.Micro with { VocabSize = 50281, HeadTokens = Frequent }, seed: 4);
        var directory = TinyModels.TempDirectory();
        LocalCheckpoint.Save(headed, directory);
        var config = File.ReadAllText(Path.Combine(directory, LocalCheckpoint.ConfigFile));
        Assert.Contains("\"head_tokens\": [0,3,4,7,11,12,20,31,40,49]", config);
        var (loaded, _) = LocalCheckpoint.Load(directory);
        using (loaded)
        {
            Assert.Equal(Frequent, loaded.Config.HeadTokens);
            Assert.Equal(Logits(headed, inference: true), Logits(loaded, inference: true));
            Assert.Equal(loaded.parameters().Sum(p => p.numel()), loaded.Config.ParameterCount);
        }
        using var full = TinyModels.Create(TinyModels.Micro);
        Assert.Equal(full.parameters().Sum(p => p.numel()), full.Config.ParameterCount);
    }

    [Fact]
    public void Choosing_from_the_head_rows_equals_choosing_from_every_id()
    {
        // 2,000 ids, 300 of them frequent. Rows: peaked at T = 0.2 and 0.8 with top-p 0.95 (the compact path), with
        // top-k, greedy, a flat row and one without any cut (both through the full expansion), and a row whose bucket
        // members beat every frequent id under greedy decoding.
        const int vocabulary = 2000;
        var random = new Random(11);
        var ids = Enumerable.Range(0, vocabulary).OrderBy(_ => random.Next()).Take(300).Order().ToArray();
        var head = new FrequentHead(ids, vocabulary);
        var rows = new List<RowSampling>();
        var compact = new List<float[]>();
        for (var trial = 0; trial < 240; trial++)
        {
            var kind = trial % 6;
            var sampling = kind switch
            {
                0 => new RowSampling(0.2, 0.95, 0),
                1 => new RowSampling(0.8, 0.95, 0),
                2 => new RowSampling(0.8, 1.0, 20),
                3 => new RowSampling(0, 1.0, 0),
                4 => new RowSampling(1.0, 0.95, 0),
                _ => new RowSampling(0.8, 1.0, 0),
            };
            var spread = kind == 4 ? 0.01 : 6.0;
            var logits = Enumerable.Range(0, ids.Length + 1).Select(_ => (float)(spread * random.NextDouble())).ToArray();
            logits[^1] = trial == 3 ? 100f : (float)(kind == 4 ? 5 : 2 * random.NextDouble()); // bucket
            rows.Add(sampling);
            compact.Add(logits);
        }
        var uniforms = rows.Select(_ => random.NextDouble()).ToArray();
        var full = compact.Select(row =>
        {
            var expanded = Enumerable.Repeat(row[^1] - (float)head.RareLogCount, vocabulary).ToArray();
            for (var i = 0; i < ids.Length; i++) expanded[ids[i]] = row[i];
            return expanded;
        }).ToList();
        using var compactTensor = tensor(compact.SelectMany(r => r).ToArray()).view(rows.Count, ids.Length + 1);
        using var fullTensor = tensor(full.SelectMany(r => r).ToArray()).view(rows.Count, vocabulary);
        var (expected, expectedLogProbs) = TokenChooser.Choose(fullTensor, rows, uniforms);
        var (actual, actualLogProbs) = TokenChooser.Choose(compactTensor, rows, uniforms, head);
        Assert.Equal(expected, actual);
        for (var row = 0; row < rows.Count; row++) Assert.Equal(expectedLogProbs[row], actualLogProbs[row], 3);
        Assert.Equal(head.FirstRareId, actual[3]);
        Assert.Contains(actual, id => !ids.Contains((int)id)); // some rows really drew a bucket member
    }

    [Theory]
    [InlineData("[3,2]", "expected ascending ids without repeats, got 2 after 3 at index 1")]
    [InlineData("[1,1]", "expected ascending ids without repeats")]
    [InlineData("[0,50]", "expected ids below vocab_size (50), got 50 at index 1")]
    [InlineData("[]", "expected 1 to 49 ids, got 0")]
    public void Head_ids_out_of_order_or_range_are_refused_naming_the_field(string ids, string message)
    {
        var directory = TinyModels.TempDirectory();
        var path = Path.Combine(directory, "config.json");
        File.WriteAllText(path, TinyModels.Micro.ToJson().Replace("\"vocab_size\": 50,", $"\"vocab_size\": 50, \"head_tokens\": {ids},", StringComparison.Ordinal));
        var error = Assert.Throws<UserInputException>(() => GptConfig.FromJson(path));
        Assert.Contains("field 'head_tokens'", error.Message);
        Assert.Contains(message, error.Message);
    }
}
