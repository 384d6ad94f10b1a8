using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Model.Tests;

/// <summary>
/// Writes a model the way Hugging Face's GPT-2 checkpoints are laid out: keys without (or with) the
/// "transformer." prefix, Conv1D weights stored (in, out), causal-mask buffers, and an HF config.json.
/// </summary>
internal static class HuggingFaceExport
{
    public static string Write(GptModel model, bool withPrefix, string directory)
    {
        var conv1D = new[] { "attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight" };
        var tensors = new List<(string, Tensor)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var key = withPrefix ? name : name["transformer.".Length..];
            tensors.Add((key, conv1D.Any(s => name.EndsWith(s, StringComparison.Ordinal)) ? parameter.t().contiguous() : parameter));
        }
        var c = model.Config;
        for (var layer = 0; layer < c.Layers; layer++)
        {
            tensors.Add(($"{(withPrefix ? "transformer." : "")}h.{layer}.attn.bias", ones(1, 1, c.Context, c.Context).tril()));
        }
        SafeTensorsWriter.Write(Path.Combine(directory, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(directory, "config.json"), $$"""
            {
              "architectures": ["GPT2LMHeadModel"],
              "model_type": "gpt2",
              "activation_function": "gelu_new",
              "n_layer": {{c.Layers}},
              "n_head": {{c.Heads}},
              "n_embd": {{c.Width}},
              "n_positions": {{c.Context}},
              "n_ctx": {{c.Context}},
              "vocab_size": {{c.VocabSize}},
              "layer_norm_epsilon": 1e-05
            }
            """);
        return directory;
    }
}
