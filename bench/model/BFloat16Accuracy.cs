using CodexSharp.Model.Modeling;
using CodexSharp.Model.Sampling;
using CodexSharp.Model.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Model.Benchmarks;

/// <summary>How far bf16 weights move the model's log-probabilities from fp32, on real Python text.</summary>
internal static class BFloat16Accuracy
{
    public static void Run()
    {
        var tokenizer = CodeTokenizer.CreateP50kBase();
        var text = File.ReadAllText("/usr/lib/python3.11/textwrap.py");
        var tokens = tokenizer.Encode(text).Take(512).ToList();
        using var fp32 = GptModel.CreateRandom(GptPresets.Small30M, seed: 1);
        // Sharper than GPT-2's initialisation so the distribution is not nearly uniform (closer to a trained model).
        using (no_grad())
        using (var five = 5.ToScalar())
        {
            foreach (var (name, p) in fp32.named_parameters())
            {
                if (name.EndsWith("wte.weight", StringComparison.Ordinal)) p.mul_(five);
            }
        }
        var reference = SequenceScorer.Score(fp32, tokens);
        using var bf16 = GptModel.CreateRandom(GptPresets.Small30M, seed: 1);
        using (no_grad())
        {
            var source = fp32.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, p) in bf16.named_parameters()) p.copy_(source[name]);
        }
        bf16.ToBFloat16();
        var lower = SequenceScorer.Score(bf16, tokens);
        var differences = reference.LogProbs.Zip(lower.LogProbs, (a, b) => Math.Abs(a - b)).ToList();
        var argmaxAgreement = ArgmaxAgreement(fp32, bf16, tokens);
        Console.WriteLine($"bf16 accuracy on {tokens.Count} tokens of textwrap.py: mean |Δ log p| {differences.Average():F4}, max {differences.Max():F4}, " +
                          $"mean log p fp32 {reference.MeanLogProb:F4} vs bf16 {lower.MeanLogProb:F4}, greedy next-token agreement {argmaxAgreement:P1}");
    }

    private static double ArgmaxAgreement(GptModel a, GptModel b, IReadOnlyList<int> tokens)
    {
        using var grad = inference_mode();
        using var scope = NewDisposeScope();
        var input = tensor(tokens.Select(t => (long)t).ToArray()).view(1, tokens.Count);
        var left = a.Forward(input).argmax(2);
        var right = b.Forward(input).argmax(2);
        return left.eq(right).to(ScalarType.Float64).mean().item<double>();
    }
}
