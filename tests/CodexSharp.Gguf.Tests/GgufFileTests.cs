using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;
using CodexSharp.Testing;

namespace CodexSharp.Gguf.Tests;

/// <summary>The file format, the vocabulary, and files llama.cpp must not be handed.</summary>
public sealed class GgufFileTests
{
    [Fact]
    public void Export_writes_every_key_and_tensor_llama_cpp_reads_for_gpt2()
    {
        using var dir = new TempDir();
        using var model = GptModel.CreateRandom(GptPresets.Tiny with { Task = "docstring" }, seed: 1);
        var result = GgufExport.Export(model, "tiny", dir.File("t.gguf"), "q8_0");
        var header = GgufHeader.Read(result.Path);
        Assert.Equal(3u, header.Version);
        Assert.Equal("gpt2", header.Architecture);
        Assert.Equal(256u, header.Metadata["gpt2.context_length"]);
        Assert.Equal(64u, header.Metadata["gpt2.embedding_length"]);
        Assert.Equal(256u, header.Metadata["gpt2.feed_forward_length"]);
        Assert.Equal(2u, header.Metadata["gpt2.block_count"]);
        Assert.Equal(2u, header.Metadata["gpt2.attention.head_count"]);
        Assert.Equal(1e-5f, header.Metadata["gpt2.attention.layer_norm_epsilon"]);
        Assert.Equal("gpt-2", header.String("tokenizer.ggml.pre"));
        Assert.Equal("docstring", header.String("codexsharp.task"));
        var tokens = (string[])header.Metadata["tokenizer.ggml.tokens"];
        Assert.Equal(50281, tokens.Length);
        Assert.Equal("<|endoftext|>", tokens[50256]);
        Assert.Equal("Ġthe", tokens[262]); // GPT-2's byte-to-character text: a leading space is Ġ
        Assert.Equal(50256u, header.Metadata["tokenizer.ggml.eos_token_id"]);
        // No frequent-token head: the output layer is the token embedding, as llama.cpp assumes when output.weight is absent.
        Assert.DoesNotContain(header.Tensors, t => t.Name == "output.weight");
        var embedding = header.Tensors.Single(t => t.Name == "token_embd.weight");
        Assert.Equal([64L, 50281L], embedding.Dims);
        Assert.Equal((uint)GgufTensorType.Q8_0, embedding.Type);
        Assert.Equal((uint)GgufTensorType.F32, header.Tensors.Single(t => t.Name == "blk.0.attn_norm.bias").Type);
        Assert.Equal([256L, 64L], header.Tensors.Single(t => t.Name == "blk.1.ffn_down.weight").Dims);
        Assert.All(header.Tensors, t => Assert.Equal(0ul, t.Offset % GgufWriter.Alignment));
    }

    [Fact]
    public void Q8_0_round_trip_is_within_half_a_step_of_each_block_and_the_rounding_of_its_float16_scale()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 256).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var decoded = TensorEncoding.Decode(TensorEncoding.Encode(values, GgufTensorType.Q8_0, 256), GgufTensorType.Q8_0, 256);
        for (var b = 0; b < 8; b++)
        {
            var block = values.AsSpan(b * 32, 32).ToArray();
            var step = block.Max(Math.Abs) / 127;
            for (var i = 0; i < 32; i++) Assert.True(Math.Abs(decoded[b * 32 + i] - block[i]) <= step * (0.5 + 127.0 / 2048), $"block {b} value {i}");
        }
    }

    [Fact]
    public async Task Llama_cpp_tokenizes_code_as_our_p50k_base_tokenizer_does()
    {
        using var dir = new TempDir();
        using var model = GptModel.CreateRandom(GptPresets.Tiny, seed: 1);
        GgufExport.Export(model, "tiny", dir.File("t.gguf"), "f16");
        using var gguf = GgufModel.Load(dir.File("t.gguf"), new GgufOptions { MaxBatchRows = 1 });
        var ours = CodeTokenizer.CreateP50kBase();
        var texts = RealCode.HumanEval.Take(40).Select(p => p.Prompt + p.Solution).Append("x  =  1\n\t\t  y = 'héllo wörld' # ✓ 中文\r\n" + new string(' ', 30) + "return\n\n\n").ToList();
        foreach (var text in texts) Assert.Equal(ours.Encode(text), gguf.Tokenize(text));
        Assert.Equal(texts[^1], gguf.Decode(ours.Encode(texts[^1])));
        await Task.CompletedTask;
    }

    [Fact]
    public void A_file_that_is_not_gguf_or_is_cut_short_is_an_input_error()
    {
        using var dir = new TempDir();
        var text = dir.Write("model.gguf", "def f():\n    return 1\n");
        Assert.Contains("not a GGUF file", Assert.Throws<UserInputException>(() => GgufModel.Load(text, new GgufOptions())).Message);
        using var model = GptModel.CreateRandom(GptPresets.Tiny, seed: 1);
        var whole = GgufExport.Export(model, "tiny", dir.File("whole.gguf"), "f16").Path;
        var bytes = File.ReadAllBytes(whole);
        foreach (var keep in new[] { 10, 5000, bytes.Length / 2, bytes.Length - 1 })
        {
            var cut = dir.File($"cut{keep}.gguf");
            File.WriteAllBytes(cut, bytes[..keep]);
            var message = Assert.Throws<UserInputException>(() => GgufModel.Load(cut, new GgufOptions())).Message;
            Assert.Contains("truncated", message);
        }
        Assert.Contains("file not found", Assert.Throws<UserInputException>(() => GgufModel.Load(dir.File("none.gguf"), new GgufOptions())).Message);
    }

    [Fact]
    public void An_architecture_llama_cpp_does_not_know_is_an_input_error_naming_it()
    {
        using var dir = new TempDir();
        var writer = new GgufWriter();
        writer.Add("general.architecture", "codexsharp-unknown");
        writer.Add("general.name", "x");
        writer.AddTensor("token_embd.weight", [32, 4], GgufTensorType.F32, new float[128]);
        writer.Write(dir.File("odd.gguf"));
        var message = Assert.Throws<UserInputException>(() => GgufModel.Load(dir.File("odd.gguf"), new GgufOptions())).Message;
        Assert.Contains("codexsharp-unknown", message);
        Assert.Contains("llama.cpp cannot load", message);
    }

    [Fact]
    public void Export_refuses_an_unknown_dtype_and_a_tokenizer_it_cannot_write()
    {
        Assert.Equal("dtype", Assert.Throws<ConfigException>(() => GgufExport.ParseDType("q4_0")).Field);
        using var dir = new TempDir();
        using var gpt2 = GptModel.CreateRandom(GptPresets.Tiny with { VocabSize = 50257, Tokenizer = CodeTokenizer.R50kBase }, seed: 1);
        Assert.Contains("p50k_base", Assert.Throws<UserInputException>(() => GgufExport.Export(gpt2, "g", dir.File("g.gguf"), "f32")).Message);
        Assert.False(File.Exists(dir.File("g.gguf")));
    }

    [Fact]
    public void Gguf_specs_parse_as_models_run_in_process()
    {
        var spec = ModelSpec.Parse("gguf:runs/qwen2.5-coder-1.5b-q8_0.gguf");
        Assert.Equal(ModelSpecKind.Gguf, spec.Kind);
        Assert.True(spec.IsLocal);
        Assert.True(InProcessModels.Names("gguf:x.gguf"));
    }
}
