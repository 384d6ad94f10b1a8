using CodexSharp.Core;
using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Gguf;

/// <summary>What <see cref="GgufExport.Export"/> wrote.</summary>
/// <param name="HeadShiftError">With a frequent-token head: the largest difference, in nats over a sample of hidden states,
/// between the exported output layer's rare-id logits and the bucket's logit minus log(V − S), in float64 (0 without such a head).</param>
public sealed record GgufExportResult(string Path, long Bytes, string DType, int Tensors, bool FrequentHead, double HeadShiftError);

/// <summary>
/// Writes our GPT as a GGUF file of llama.cpp's <c>gpt2</c> architecture: GPT-2's tensors under llama.cpp's names, the
/// hyperparameters under <c>gpt2.*</c>, and the p50k_base vocabulary under <c>tokenizer.ggml.*</c>.
/// <para>
/// A frequent-token head (<see cref="FrequentHead"/>) gives each rare id the bucket row's logit minus log(V − S). The
/// <c>gpt2</c> graph has an output matrix but no output bias, so the constant is built into the matrix exactly: the final
/// LayerNorm's output is h = g ⊙ n + b with n of mean zero, so for u = 1/g every position has u·h = u·b, a constant.
/// Adding a·u to an output row therefore adds a·(u·b) to that id's logit at every position. The export writes a
/// separate output matrix whose frequent rows are the embedding's, whose rare rows are the bucket row, and adds to
/// each row the multiple of u that gives it its shift; when u·b is small the LayerNorm's bias is first moved along g
/// (which moves every logit by a known per-row constant that the same device takes back), so that the multiples stay
/// small and the rounding they bring stays at float32's level.
/// </para>
/// </summary>
public static class GgufExport
{
    /// <summary>Storage types <c>--dtype</c> accepts.</summary>
    public static IReadOnlyList<string> DTypes { get; } = ["f32", "f16", "q8_0"];

    /// <exception cref="ConfigException">An unknown <paramref name="dtype"/> (field <c>dtype</c>).</exception>
    public static GgufTensorType ParseDType(string dtype) => dtype switch
    {
        "f32" => GgufTensorType.F32,
        "f16" => GgufTensorType.F16,
        "q8_0" => GgufTensorType.Q8_0,
        _ => throw new ConfigException("dtype", $"'{dtype}' is not a GGUF storage type; expected one of {string.Join(", ", DTypes)}"),
    };

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (through a temporary file, so a failed export leaves nothing half written).</summary>
    /// <param name="chatTemplate">A chat template to store as <c>tokenizer.chat_template</c> (our models have none; tests give one).</param>
    public static GgufExportResult Export(GptModel model, string name, string path, string dtype, string? chatTemplate = null)
    {
        var type = ParseDType(dtype);
        var config = model.Config;
        var vocabulary = BpeVocabulary.For(config.Tokenizer, config.VocabSize);
        var weights = Weights(model);
        var writer = new GgufWriter();
        writer.Add("general.architecture", "gpt2");
        writer.Add("general.name", name);
        writer.Add("general.file_type", type switch { GgufTensorType.F32 => 0u, GgufTensorType.F16 => 1u, _ => 7u });
        writer.Add("general.quantization_version", 2u);
        writer.Add("gpt2.context_length", (uint)config.Context);
        writer.Add("gpt2.embedding_length", (uint)config.Width);
        writer.Add("gpt2.feed_forward_length", (uint)(4 * config.Width));
        writer.Add("gpt2.block_count", (uint)config.Layers);
        writer.Add("gpt2.attention.head_count", (uint)config.Heads);
        writer.Add("gpt2.attention.layer_norm_epsilon", (float)config.LayerNormEpsilon);
        writer.Add("tokenizer.ggml.model", "gpt2");
        writer.Add("tokenizer.ggml.pre", "gpt-2");
        writer.Add("tokenizer.ggml.tokens", vocabulary.Tokens);
        writer.Add("tokenizer.ggml.token_type", vocabulary.TokenTypes);
        writer.Add("tokenizer.ggml.merges", vocabulary.Merges);
        writer.Add("tokenizer.ggml.bos_token_id", (uint)vocabulary.EndOfText);
        writer.Add("tokenizer.ggml.eos_token_id", (uint)vocabulary.EndOfText);
        writer.Add("tokenizer.ggml.add_bos_token", false);
        if (config.Task is { } task) writer.Add("codexsharp.task", task);
        if (chatTemplate is not null) writer.Add("tokenizer.chat_template", chatTemplate);

        int width = config.Width, vocab = config.VocabSize;
        var tensors = 0;
        void Matrix(string gguf, float[] values, long rowLength)
        {
            var stored = type == GgufTensorType.Q8_0 && rowLength % TensorEncoding.Q8BlockSize != 0 ? GgufTensorType.F16 : type;
            writer.AddTensor(gguf, [rowLength, values.Length / rowLength], stored, values);
            tensors++;
        }
        void Vector(string gguf, float[] values)
        {
            writer.AddTensor(gguf, [values.Length], GgufTensorType.F32, values);
            tensors++;
        }
        float[] Get(string key, int length) => weights.TryGetValue(key, out var v) ? v : new float[length]; // absent biases are zero

        var embedding = weights["transformer.wte.weight"];
        Matrix("token_embd.weight", embedding, width);
        Matrix("position_embd.weight", weights["transformer.wpe.weight"], width);
        var gain = weights["transformer.ln_f.weight"];
        var bias = Get("transformer.ln_f.bias", width);
        var shiftError = 0.0;
        if (model.FrequentHead is { } head)
        {
            var (output, newBias, error) = ShiftedHead(head, embedding, weights["rare_head"], gain, bias, width, vocab);
            (bias, shiftError) = (newBias, error);
            Matrix("output.weight", output, width);
        }
        Vector("output_norm.weight", gain);
        Vector("output_norm.bias", bias);
        for (var layer = 0; layer < config.Layers; layer++)
        {
            var p = $"transformer.h.{layer}.";
            var g = $"blk.{layer}.";
            Vector(g + "attn_norm.weight", weights[p + "ln_1.weight"]);
            Vector(g + "attn_norm.bias", Get(p + "ln_1.bias", width));
            Matrix(g + "attn_qkv.weight", weights[p + "attn.c_attn.weight"], width);
            Vector(g + "attn_qkv.bias", Get(p + "attn.c_attn.bias", 3 * width));
            Matrix(g + "attn_output.weight", weights[p + "attn.c_proj.weight"], width);
            Vector(g + "attn_output.bias", Get(p + "attn.c_proj.bias", width));
            Vector(g + "ffn_norm.weight", weights[p + "ln_2.weight"]);
            Vector(g + "ffn_norm.bias", Get(p + "ln_2.bias", width));
            Matrix(g + "ffn_up.weight", weights[p + "mlp.c_fc.weight"], width);
            Vector(g + "ffn_up.bias", Get(p + "mlp.c_fc.bias", 4 * width));
            Matrix(g + "ffn_down.weight", weights[p + "mlp.c_proj.weight"], 4 * width);
            Vector(g + "ffn_down.bias", Get(p + "mlp.c_proj.bias", width));
        }
        writer.Write(path);
        return new GgufExportResult(path, new FileInfo(path).Length, dtype, tensors, model.FrequentHead is not null, shiftError);
    }

    /// <summary>
    /// The (V, C) output matrix and final LayerNorm bias that give every id the logit the frequent-token head gives it
    /// (see the class summary), and the largest deviation of the shift over a few test directions, in nats.
    /// </summary>
    internal static (float[] Output, float[] Bias, double Error) ShiftedHead(FrequentHead head, float[] embedding, float[] bucket, float[] gain, float[] bias, int width, int vocab)
    {
        var u = new double[width];
        for (var i = 0; i < width; i++)
        {
            if (Math.Abs(gain[i]) < 1e-6)
                throw new UserInputException($"the final LayerNorm's gain is {gain[i]} at channel {i}: the frequent-token head's log(V − S) shift cannot be built into a gpt2 GGUF exactly");
            u[i] = 1.0 / gain[i];
        }
        var ub = 0.0;
        for (var i = 0; i < width; i++) ub += u[i] * bias[i];
        // Target u·b' = τ with |τ| ≥ C: move the bias along g by k (u·g = C) when u·b is too small.
        var tau = Math.Abs(ub) >= width ? ub : (ub >= 0 ? width : -width);
        var k = (tau - ub) / width;
        var newBias = new float[width];
        for (var i = 0; i < width; i++) newBias[i] = (float)(bias[i] + k * gain[i]);
        var frequent = new HashSet<int>(head.Ids);
        var output = new float[(long)vocab * width];
        for (var id = 0; id < vocab; id++)
        {
            var isFrequent = frequent.Contains(id);
            var row = isFrequent ? embedding.AsSpan(id * width, width) : bucket.AsSpan();
            var dot = 0.0;
            for (var i = 0; i < width; i++) dot += row[i] * (double)gain[i];
            var a = ((isFrequent ? 0 : -head.RareLogCount) - k * dot) / tau;
            var target = output.AsSpan(id * width, width);
            for (var i = 0; i < width; i++) target[i] = (float)(row[i] + a * u[i]);
        }
        // Check: for a few hidden states h = g ⊙ n + b (n of mean zero), the stored rows with the new bias against the head's logits.
        var error = 0.0;
        var random = new Random(1);
        var rareId = head.FirstRareId;
        var frequentId = head.Ids[0];
        for (var trial = 0; trial < 8; trial++)
        {
            var n = Enumerable.Range(0, width).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var mean = n.Average();
            double rareGot = 0, rareWant = 0, freqGot = 0, freqWant = 0;
            for (var i = 0; i < width; i++)
            {
                var centred = n[i] - mean;
                double hOld = gain[i] * centred + bias[i], hNew = gain[i] * centred + newBias[i];
                rareGot += output[(long)rareId * width + i] * hNew;
                rareWant += bucket[i] * hOld;
                freqGot += output[(long)frequentId * width + i] * hNew;
                freqWant += embedding[frequentId * width + i] * hOld;
            }
            error = Math.Max(error, Math.Max(Math.Abs(rareGot - (rareWant - head.RareLogCount)), Math.Abs(freqGot - freqWant)));
        }
        return (output, newBias, error);
    }

    /// <summary>Every parameter as float32 values in row-major order, by name.</summary>
    private static Dictionary<string, float[]> Weights(GptModel model)
    {
        var weights = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var values = parameter.detach().to(ScalarType.Float32).contiguous();
            weights[name] = values.data<float>().ToArray();
        }
        return weights;
    }
}
