using System.Text.Json;
using System.Text.Json.Serialization;
using CodexSharp.Core;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model.Modeling;

/// <summary>
/// The shape of a GPT-2-style decoder. Written as config.json beside every checkpoint, so a checkpoint says how
/// it was made. Defaults are GPT-2 small's shape with the Codex tokenizer.
/// </summary>
public sealed record GptConfig
{
    /// <summary>Transformer blocks (n_layer).</summary>
    [JsonPropertyName("n_layer")] public int Layers { get; init; } = 12;

    /// <summary>Attention heads per block (n_head); must divide <see cref="Width"/>.</summary>
    [JsonPropertyName("n_head")] public int Heads { get; init; } = 12;

    /// <summary>Residual stream width (n_embd).</summary>
    [JsonPropertyName("n_embd")] public int Width { get; init; } = 768;

    /// <summary>Longest sequence the position table covers (n_positions / block size).</summary>
    [JsonPropertyName("n_positions")] public int Context { get; init; } = 1024;

    /// <summary>Rows of the token embedding (p50k_base has 50,281 ids; GPT-2's r50k_base 50,257).</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 50281;

    /// <summary>Dropout on embeddings, attention output and MLP output while training (0 when sampling).</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; }

    /// <summary>Whether linear layers and LayerNorms carry biases (GPT-2 does).</summary>
    [JsonPropertyName("bias")] public bool Bias { get; init; } = true;

    /// <summary>LayerNorm epsilon (GPT-2: 1e-5).</summary>
    [JsonPropertyName("layer_norm_epsilon")] public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary>The tokenizer the ids belong to (see <see cref="CodeTokenizer.ByName"/>).</summary>
    [JsonPropertyName("tokenizer")] public string Tokenizer { get; init; } = CodeTokenizer.P50kBase;

    /// <summary>
    /// What the model was fine-tuned to do: <c>solve</c> (Codex-S: write the body for a docstring), <c>docstring</c>
    /// (Codex-D: write the docstring for a body, in <see cref="Core.Problems.DocstringLayout"/>), or absent for a
    /// pretrained model.
    /// </summary>
    [JsonPropertyName("task")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Task { get; init; }

    /// <summary>
    /// The token ids the output head scores one by one (ascending), or null for all <see cref="VocabSize"/> ids. Every
    /// other id shares one more head row, a "rare token" bucket whose probability is split evenly among them, so the
    /// model still gives every id a probability while the head — on a CPU most of a small model's cost — multiplies
    /// by a few thousand rows instead of 50,281. <c>train --head-tokens N</c> takes the N most frequent ids of its corpus.
    /// </summary>
    [JsonPropertyName("head_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(CompactIntArrayConverter))]
    public int[]? HeadTokens { get; init; }

    /// <summary>Rows of the output head: every id, or the frequent ids plus the rare-token bucket.</summary>
    [JsonIgnore] public int HeadRows => HeadTokens is { } ids ? ids.Length + 1 : VocabSize;

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore] public int HeadSize => Width / Heads;

    /// <summary>Parameter count with the head tied to the token embedding.</summary>
    [JsonIgnore]
    public long ParameterCount
    {
        get
        {
            long w = Width, biasW = Bias ? Width : 0;
            var perBlock = 2 * (w + biasW) /* ln_1, ln_2 */ + w * 3 * w + 3 * biasW /* c_attn */ + w * w + biasW /* attn.c_proj */
                           + w * 4 * w + 4 * biasW /* mlp.c_fc */ + 4 * w * w + biasW /* mlp.c_proj */;
            var rareRow = HeadTokens is null ? 0 : w;
            return (long)VocabSize * w + (long)Context * w + Layers * perBlock + w + biasW + rareRow;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Checks the shape is buildable; throws <see cref="UserInputException"/> naming the field.</summary>
    public GptConfig Validate(string source)
    {
        void Require(bool ok, string field, string expected)
        {
            if (!ok) throw new UserInputException($"{source}: field '{field}': {expected}");
        }
        Require(Layers >= 1, "n_layer", "expected at least 1");
        Require(Heads >= 1, "n_head", "expected at least 1");
        Require(Width >= 1 && Width % Heads == 0, "n_embd", $"expected a positive multiple of n_head ({Heads}), got {Width}");
        Require(Context >= 2, "n_positions", "expected at least 2");
        Require(VocabSize >= 2, "vocab_size", "expected at least 2");
        Require(Dropout is >= 0 and < 1, "dropout", "expected 0 <= dropout < 1");
        Require(LayerNormEpsilon > 0, "layer_norm_epsilon", "expected a positive number");
        if (HeadTokens is { } ids)
        {
            Require(ids.Length >= 1 && ids.Length < VocabSize, "head_tokens", $"expected 1 to {VocabSize - 1} ids, got {ids.Length}");
            for (var i = 0; i < ids.Length; i++)
            {
                Require(ids[i] >= 0 && ids[i] < VocabSize, "head_tokens", $"expected ids below vocab_size ({VocabSize}), got {ids[i]} at index {i}");
                Require(i == 0 || ids[i] > ids[i - 1], "head_tokens", $"expected ascending ids without repeats, got {ids[i]} after {(i == 0 ? 0 : ids[i - 1])} at index {i}");
            }
        }
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads config.json as written by <see cref="ToJson"/>.</summary>
    public static GptConfig FromJson(string path)
    {
        try
        {
            var config = JsonSerializer.Deserialize<GptConfig>(File.ReadAllText(path))
                         ?? throw new UserInputException($"{path}: expected a JSON object");
            return config.Validate(path);
        }
        catch (JsonException e)
        {
            throw UserInputException.At(path, (e.LineNumber ?? 0) + 1, e.Path, e.Message);
        }
    }
}

/// <summary>Writes an int array on one line (config.json stays readable with thousands of head ids).</summary>
internal sealed class CompactIntArrayConverter : JsonConverter<int[]>
{
    public override int[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<int[]>(ref reader);

    public override void Write(Utf8JsonWriter writer, int[] value, JsonSerializerOptions options) =>
        writer.WriteRawValue(JsonSerializer.Serialize(value), skipInputValidation: true);
}
