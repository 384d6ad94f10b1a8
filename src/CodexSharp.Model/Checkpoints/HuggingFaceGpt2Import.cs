using System.Text.Json;
using CodexSharp.Core;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model.Checkpoints;

/// <summary>
/// Loads a Hugging Face GPT-2-family directory (<c>config.json</c> + <c>*.safetensors</c>). Names may carry a
/// <c>transformer.</c> prefix or not; Conv1D weights are stored (in, out) and are transposed into Linear's
/// (out, in). The tokenizer comes from vocab.json + merges.txt or tokenizer.json when present, else GPT-2's
/// r50k_base for <c>model_type: gpt2</c>.
/// </summary>
public static class HuggingFaceGpt2Import
{
    private static readonly string[] Conv1DWeights = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];

    public static (GptModel Model, CodeTokenizer Tokenizer) Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new UserInputException($"{directory}: directory not found");
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath)) throw new UserInputException($"{configPath}: file not found (hf:DIR needs config.json and *.safetensors)");
        var (config, modelType) = ReadConfig(configPath);
        var tokenizer = CodeTokenizer.FromDirectory(directory)
                        ?? (modelType == "gpt2"
                            ? CodeTokenizer.CreateR50kBase()
                            : throw new UserInputException($"{directory}: no vocab.json + merges.txt or tokenizer.json, and model_type '{modelType}' has no default tokenizer"));
        config = config with { Tokenizer = tokenizer.Name };
        LocalCheckpoint.CheckVocabulary(configPath, config, tokenizer);

        var weightPaths = Directory.GetFiles(directory, "*.safetensors").Order(StringComparer.Ordinal).ToList();
        if (weightPaths.Count == 0) throw new UserInputException($"{directory}: no *.safetensors file");
        var model = new GptModel(config);
        var files = weightPaths.Select(SafeTensorsFile.Open).ToList();
        try
        {
            WeightLoading.Load(model, files,
                keyFor: name => [name, name.StartsWith("transformer.", StringComparison.Ordinal) ? name["transformer.".Length..] : name],
                transposed: name => Conv1DWeights.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal)),
                // Causal-mask buffers of older exports, and the tied head.
                ignored: key => key.EndsWith(".attn.bias", StringComparison.Ordinal) || key.EndsWith(".attn.masked_bias", StringComparison.Ordinal) || key == "lm_head.weight");
        }
        finally
        {
            foreach (var file in files) file.Dispose();
        }
        model.eval();
        return (model, tokenizer);
    }

    private static (GptConfig Config, string ModelType) ReadConfig(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            int Int(string field, int? fallback = null, string? alternative = null)
            {
                if (root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number) return value.GetInt32();
                if (alternative is not null && root.TryGetProperty(alternative, out var other) && other.ValueKind == JsonValueKind.Number) return other.GetInt32();
                return fallback ?? throw new UserInputException($"{path}: field '{field}': expected a number");
            }
            var modelType = root.TryGetProperty("model_type", out var type) ? type.GetString() ?? "" : "";
            var config = new GptConfig
            {
                Layers = Int("n_layer"),
                Heads = Int("n_head"),
                Width = Int("n_embd"),
                Context = Int("n_positions", alternative: "n_ctx"),
                VocabSize = Int("vocab_size"),
                LayerNormEpsilon = root.TryGetProperty("layer_norm_epsilon", out var eps) ? eps.GetDouble() : 1e-5,
            };
            return (config.Validate(path), modelType);
        }
        catch (JsonException e)
        {
            throw UserInputException.At(path, (e.LineNumber ?? 0) + 1, e.Path, e.Message);
        }
    }
}
