using CodexSharp.Model;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using CodexSharp.Testing;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CodexSharp.Gguf.Tests;

/// <summary>Our model exported to GGUF and run by llama.cpp gives the log-probabilities TorchSharp gives.</summary>
public sealed class ExportParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("f32")]
    [InlineData("f16")]
    [InlineData("q8_0")]
    public async Task Shipped_model_next_token_logprobs_match_torchsharp(string dtype)
    {
        using var dir = new TempDir();
        var (model, tokenizer) = LocalCheckpoint.Load(Path.Combine(TestPaths.RepoRoot, "models", "codexsharp-7m"));
        using var _ = model;
        var path = dir.File("m.gguf");
        var result = GgufExport.Export(model, "codexsharp-7m", path, dtype);
        output.WriteLine($"{dtype}: {result.Bytes / 1e6:F1} MB, head shift error {result.HeadShiftError:E2}");
        using var gguf = GgufModel.Load(path, new GgufOptions { MaxBatchRows = 1 });
        var worst = 0.0;
        var sum = 0.0;
        var positions = 0;
        foreach (var (_, prompt, solution) in RealCode.HumanEval.Take(4))
        {
            var tokens = tokenizer.Encode(prompt + solution).Take(200).ToList();
            Assert.Equal(tokens, gguf.Tokenize(tokenizer.Decode(tokens)));
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
        output.WriteLine($"{dtype}: {positions} positions, max |Δ log p| {worst:E2}, mean {sum / positions:E2}");
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
