using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Model.Tests;

/// <summary>
/// A second, deliberately plain GPT-2 forward pass in double-precision loops, written from the architecture's
/// definition (pre-LayerNorm blocks, causal softmax attention, tanh-GELU MLP, tied head). The golden reference
/// the torch model's logits are checked against.
/// </summary>
internal sealed class ReferenceGpt
{
    private readonly GptConfig config;
    private readonly Dictionary<string, double[]> weights;

    public ReferenceGpt(GptModel model)
    {
        config = model.Config;
        weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.to(ScalarType.Float64).data<double>().ToArray());
    }

    /// <returns>logits[t][v] for every position.</returns>
    public double[][] Forward(int[] tokens)
    {
        int c = config.Width, steps = tokens.Length;
        var x = new double[steps][];
        for (var t = 0; t < steps; t++)
        {
            x[t] = new double[c];
            for (var i = 0; i < c; i++) x[t][i] = W("transformer.wte.weight")[tokens[t] * c + i] + W("transformer.wpe.weight")[t * c + i];
        }
        for (var layer = 0; layer < config.Layers; layer++)
        {
            var p = $"transformer.h.{layer}.";
            var attention = Attention(x.Select(row => LayerNorm(row, p + "ln_1")).ToArray(), p);
            for (var t = 0; t < steps; t++) x[t] = Add(x[t], attention[t]);
            for (var t = 0; t < steps; t++)
            {
                var hidden = Linear(LayerNorm(x[t], p + "ln_2"), p + "mlp.c_fc", c, 4 * c).Select(Gelu).ToArray();
                x[t] = Add(x[t], Linear(hidden, p + "mlp.c_proj", 4 * c, c));
            }
        }
        var wte = W("transformer.wte.weight");
        return x.Select(row =>
        {
            var normed = LayerNorm(row, "transformer.ln_f");
            return Enumerable.Range(0, config.VocabSize).Select(v => Enumerable.Range(0, c).Sum(i => normed[i] * wte[v * c + i])).ToArray();
        }).ToArray();
    }

    private double[][] Attention(double[][] x, string p)
    {
        int c = config.Width, heads = config.Heads, hs = c / heads, steps = x.Length;
        var qkv = x.Select(row => Linear(row, p + "attn.c_attn", c, 3 * c)).ToArray();
        var output = new double[steps][];
        for (var t = 0; t < steps; t++)
        {
            output[t] = new double[c];
            for (var h = 0; h < heads; h++)
            {
                var scores = new double[t + 1];
                for (var s = 0; s <= t; s++)
                {
                    double dot = 0;
                    for (var i = 0; i < hs; i++) dot += qkv[t][h * hs + i] * qkv[s][c + h * hs + i];
                    scores[s] = dot / Math.Sqrt(hs);
                }
                var max = scores.Max();
                var exp = scores.Select(v => Math.Exp(v - max)).ToArray();
                var sum = exp.Sum();
                for (var s = 0; s <= t; s++)
                {
                    for (var i = 0; i < hs; i++) output[t][h * hs + i] += exp[s] / sum * qkv[s][2 * c + h * hs + i];
                }
            }
        }
        return output.Select(row => Linear(row, p + "attn.c_proj", c, c)).ToArray();
    }

    private double[] W(string name) => weights[name];

    /// <summary>y = W x + b with W stored (out, in).</summary>
    private double[] Linear(double[] input, string name, int inputs, int outputs)
    {
        var w = W(name + ".weight");
        var b = W(name + ".bias");
        var y = new double[outputs];
        for (var o = 0; o < outputs; o++)
        {
            var sum = b[o];
            for (var i = 0; i < inputs; i++) sum += w[o * inputs + i] * input[i];
            y[o] = sum;
        }
        return y;
    }

    private double[] LayerNorm(double[] input, string name)
    {
        var mean = input.Average();
        var variance = input.Select(v => (v - mean) * (v - mean)).Average();
        var scale = 1 / Math.Sqrt(variance + config.LayerNormEpsilon);
        var gamma = W(name + ".weight");
        var beta = W(name + ".bias");
        return input.Select((v, i) => (v - mean) * scale * gamma[i] + beta[i]).ToArray();
    }

    private static double Gelu(double v) => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));

    private static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();
}
