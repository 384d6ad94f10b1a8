using CodexSharp.Model.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Tests;

public sealed class GptModelTests
{
    private static double[][] TorchLogits(GptModel model, int[] tokens)
    {
        using var input = tensor(tokens.Select(t => (long)t).ToArray()).view(1, tokens.Length);
        using var logits = model.Forward(input);
        var flat = logits.to(ScalarType.Float64).data<double>().ToArray();
        var vocab = model.Config.VocabSize;
        return Enumerable.Range(0, tokens.Length).Select(t => flat.Skip(t * vocab).Take(vocab).ToArray()).ToArray();
    }

    [Fact]
    public void Logits_match_an_independent_double_precision_implementation()
    {
        using var model = TinyModels.Create(TinyModels.Micro, seed: 7);
        // Larger weights than GPT-2's init make attention and GELU non-trivial.
        using (no_grad())
        using (var eight = 8.ToScalar())
        {
            foreach (var (_, p) in model.named_parameters()) p.mul_(eight);
        }
        int[] tokens = [3, 17, 42, 0, 9, 9, 31, 5];
        var expected = new ReferenceGpt(model).Forward(tokens);
        // With gradients (the training path) and in inference mode (the sampling path, through the frozen head).
        double[][] inference;
        using (inference_mode()) inference = TorchLogits(model, tokens);
        foreach (var actual in new[] { TorchLogits(model, tokens), inference })
        {
            var worst = 0.0;
            for (var t = 0; t < tokens.Length; t++)
            {
                for (var v = 0; v < model.Config.VocabSize; v++) worst = Math.Max(worst, Math.Abs(expected[t][v] - actual[t][v]));
            }
            Assert.True(worst < 1e-3, $"largest logit difference {worst}");
        }
        Assert.True(expected.SelectMany(r => r).Max() - expected.SelectMany(r => r).Min() > 1, "logits should not be flat");
    }

    [Fact]
    public void With_zero_blocks_the_logits_are_the_normalised_embedding_times_the_embedding()
    {
        // Hand-checkable: zeroed projections leave x = wte[t] + wpe[p], so logits = LN(x) · wte.
        using var model = TinyModels.Create(TinyModels.Micro, seed: 3);
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.Contains("c_proj", StringComparison.Ordinal)) p.zero_();
            }
        }
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.to(ScalarType.Float64).data<double>().ToArray());
        var wte = weights["transformer.wte.weight"];
        var wpe = weights["transformer.wpe.weight"];
        int c = model.Config.Width, token = 11, position = 0;
        var x = Enumerable.Range(0, c).Select(i => wte[token * c + i] + wpe[position * c + i]).ToArray();
        var mean = x.Average();
        var std = Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Average() + 1e-5);
        var normed = x.Select(v => (v - mean) / std).ToArray();
        var logits = TorchLogits(model, [token])[0];
        for (var v = 0; v < model.Config.VocabSize; v++)
        {
            var expected = Enumerable.Range(0, c).Sum(i => normed[i] * wte[v * c + i]);
            Assert.Equal(expected, logits[v], 4);
        }
    }

    [Fact]
    public void The_sampling_head_follows_weights_changed_by_training()
    {
        using var model = TinyModels.Create(TinyModels.Micro, seed: 2);
        int[] tokens = [1, 2, 3];
        double[][] Inference()
        {
            using (inference_mode()) return TorchLogits(model, tokens);
        }
        var before = Inference();
        // A training step: a forward pass with gradients, then the weights change.
        model.train();
        TorchLogits(model, tokens);
        using (no_grad())
        using (var two = 2.ToScalar())
        {
            foreach (var (_, p) in model.named_parameters()) p.mul_(two);
        }
        model.eval();
        var after = Inference();
        var expected = new ReferenceGpt(model).Forward(tokens);
        Assert.True(Math.Abs(after[2][5] - expected[2][5]) < 1e-3, $"{after[2][5]} against {expected[2][5]}");
        Assert.True(Math.Abs(after[2][5] - before[2][5]) > 1e-2, "the weights changed, so the logits should");
    }

    [Fact]
    public void A_later_token_never_changes_earlier_logits()
    {
        using var model = TinyModels.Create(TinyModels.Micro, seed: 5);
        var a = TorchLogits(model, [1, 2, 3, 4]);
        var b = TorchLogits(model, [1, 2, 3, 40]);
        for (var t = 0; t < 3; t++) Assert.Equal(a[t], b[t]);
        Assert.NotEqual(a[3], b[3]);
    }

    [Fact]
    public void Parameter_names_are_gpt2_checkpoint_keys_and_the_count_matches_the_config()
    {
        using var model = TinyModels.Create(TinyModels.Micro);
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("transformer.wte.weight", names);
        Assert.Contains("transformer.wpe.weight", names);
        Assert.Contains("transformer.h.1.ln_1.bias", names);
        Assert.Contains("transformer.h.0.attn.c_attn.weight", names);
        Assert.Contains("transformer.h.0.attn.c_proj.weight", names);
        Assert.Contains("transformer.h.0.ln_2.weight", names);
        Assert.Contains("transformer.h.0.mlp.c_fc.weight", names);
        Assert.Contains("transformer.h.1.mlp.c_proj.bias", names);
        Assert.Contains("transformer.ln_f.weight", names);
        Assert.DoesNotContain("lm_head.weight", names);
        Assert.Equal(TinyModels.Micro.ParameterCount, model.parameters().Sum(p => p.NumberOfElements));
        Assert.InRange(GptPresets.Small30M.ParameterCount, 28_000_000, 32_000_000);
    }
}
