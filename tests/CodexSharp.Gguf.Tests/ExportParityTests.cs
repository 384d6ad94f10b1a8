using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;
using CodexSharp.Testing;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CodexSharp.Gguf.Tests;

/// <summary>
/// Our model exported to GGUF and run by llama.cpp gives the next-token log-probabilities TorchSharp gives, on a few
/// hundred positions of real code. llama.cpp computes GELU through a float16 table (its input and output rounded to
/// float16), which TorchSharp does not: everything else is checked at float32's level (within 1e-4) on random models
/// whose MLPs feed GELU exact zeros, and the trained shipped model, GELU included, within 5e-3 at f32 (rounding GELU
/// the same way in TorchSharp brought that down to 7e-4 in a trial), within stated bounds at f16 and q8_0.
/// </summary>
public sealed class ExportParityTests(ITestOutputHelper output)
{
    private static readonly CodeTokenizer Tokenizer = CodeTokenizer.CreateP50kBase();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Random_model_without_gelu_inputs_matches_within_1e_4_at_f32(bool frequentHead)
    {
        // A frequent-token head over every third id; its bucket row and the final LayerNorm as a trained model might have them.
        var config = GptPresets.Tiny with { HeadTokens = frequentHead ? Enumerable.Range(0, 50281 / 3).Select(i => 3 * i).ToArray() : null };
        using var model = GptModel.CreateRandom(config, seed: 7);
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.EndsWith("mlp.c_fc.weight", StringComparison.Ordinal)) p.zero_(); // GELU(0) = 0 exactly, in the table too
                if (name.EndsWith("mlp.c_proj.bias", StringComparison.Ordinal)) p.normal_(0, 0.02); // the MLP still adds something
                if (!frequentHead) continue;
                if (name == "rare_head") p.mul_(40); // a bucket that competes with the frequent ids
                if (name == "transformer.ln_f.bias") p.normal_(0, 0.3);
                if (name == "transformer.ln_f.weight") p.uniform_(0.5, 1.5);
            }
        }
        var (worst, mean, positions) = await Compare(model, "f32");
        Assert.True(positions >= 300, $"{positions} positions");
        Assert.True(worst < 1e-4, $"max |Δ log p| {worst:E2}");
    }

    [Theory]
    [InlineData("f32", 5e-3, 1e-3)]
    [InlineData("f16", 3e-2, 3e-3)]
    [InlineData("q8_0", 0.5, 0.05)]
    public async Task Shipped_model_matches_within_stated_bounds(string dtype, double maxBound, double meanBound)
    {
        var (model, _) = LocalCheckpoint.Load(Path.Combine(TestPaths.RepoRoot, "models", "codexsharp-7m"));
        using var _ = model;
        var (worst, mean, positions) = await Compare(model, dtype);
        Assert.True(positions >= 300, $"{positions} positions");
        Assert.True(worst < maxBound, $"{dtype}: max |Δ log p| {worst:E2}");
        Assert.True(mean < meanBound, $"{dtype}: mean |Δ log p| {mean:E2}");
    }

    /// <summary>Exports, loads through llama.cpp, and compares log p of each next token of four HumanEval solutions (200 tokens each).</summary>
    private async Task<(double Worst, double Mean, int Positions)> Compare(GptModel model, string dtype)
    {
        using var dir = new TempDir();
        var result = GgufExport.Export(model, "parity", dir.File("m.gguf"), dtype);
        using var gguf = GgufModel.Load(result.Path, new GgufOptions { MaxBatchRows = 1 });
        double worst = 0, sum = 0;
        var positions = 0;
        foreach (var (_, prompt, solution) in RealCode.HumanEval.Take(4))
        {
            var tokens = Tokenizer.Encode(prompt + solution).Take(Math.Min(200, model.Config.Context)).ToList();
            var theirs = await gguf.ScoreAsync(tokens, 1);
            var ours = TorchLogProbs(model, tokens);
            for (var i = 0; i < theirs.Length; i++)
            {
                var d = Math.Abs(theirs[i] - ours[i]);
                worst = Math.Max(worst, d);
                sum += d;
                positions++;
            }
        }
        output.WriteLine($"{dtype}: {result.Bytes / 1e6:F1} MB, head shift {result.HeadShiftError:E1}; {positions} positions, max |Δ log p| {worst:E2}, mean {sum / positions:E2}");
        return (worst, sum / positions, positions);
    }

    private static double[] TorchLogProbs(GptModel model, IReadOnlyList<int> tokens)
    {
        using var noGrad = no_grad();
        using var input = tensor(tokens.Select(t => (long)t).ToArray()).view(1, -1);
        using var logits = model.Forward(input);
        using var logProbs = logits.log_softmax(-1)[0];
        var values = new double[tokens.Count - 1];
        for (var i = 0; i < values.Length; i++) values[i] = logProbs[i, tokens[i + 1]].item<float>();
        return values;
    }
}
