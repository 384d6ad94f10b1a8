using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CodexSharp.Core;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Model.Tests;

public sealed class CheckpointTests
{
    private static float[] Logits(GptModel model, params long[] tokens)
    {
        using var input = tensor(tokens).view(1, tokens.Length);
        using var logits = model.Forward(input);
        return logits.data<float>().ToArray();
    }

    [Fact]
    public void Save_then_load_gives_the_same_logits_and_config()
    {
        var directory = TinyModels.TempDirectory();
        using var model = TinyModels.Create(TinyModels.Tiny, seed: 11);
        LocalCheckpoint.Save(model, directory);
        var (loaded, tokenizer) = LocalCheckpoint.Load(directory);
        using (loaded)
        {
            Assert.Equal(model.Config, loaded.Config);
            Assert.Equal("p50k_base", tokenizer.Name);
            Assert.Equal(Logits(model, 1, 2, 3, 50280), Logits(loaded, 1, 2, 3, 50280));
        }
    }

    [Fact]
    public void The_file_is_plain_safetensors_readable_without_our_reader()
    {
        var directory = TinyModels.TempDirectory();
        using var model = TinyModels.Create(TinyModels.Micro, seed: 2);
        LocalCheckpoint.Save(model, directory);
        var bytes = File.ReadAllBytes(Path.Combine(directory, "model.safetensors"));
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd(' '));
        var wpe = header.RootElement.GetProperty("transformer.wpe.weight");
        Assert.Equal("F32", wpe.GetProperty("dtype").GetString());
        Assert.Equal([32L, 16L], wpe.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        var begin = wpe.GetProperty("data_offsets")[0].GetInt32();
        var firstValue = BitConverter.ToSingle(bytes, 8 + headerLength + begin);
        var expected = model.named_parameters().First(p => p.name == "transformer.wpe.weight").parameter[0, 0].item<float>();
        Assert.Equal(expected, firstValue);
        Assert.Equal("pt", header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "config.json"))).RootElement;
        Assert.Equal(2, config.GetProperty("n_layer").GetInt32());
        Assert.Equal("p50k_base", config.GetProperty("tokenizer").GetString());
    }

    [Fact]
    public void Hugging_face_gpt2_layout_with_conv1d_weights_imports_to_the_same_logits()
    {
        using var model = TinyModels.Create(TinyModels.Tiny with { VocabSize = 50257, Tokenizer = "r50k_base" }, seed: 4);
        var directory = HuggingFaceExport.Write(model, withPrefix: false, TinyModels.TempDirectory());
        var (imported, tokenizer) = HuggingFaceGpt2Import.Load(directory);
        using (imported)
        {
            Assert.Equal("r50k_base", tokenizer.Name);
            Assert.Equal(Logits(model, 464, 1234, 50256), Logits(imported, 464, 1234, 50256));
        }
        // The same with "transformer." prefixes and a tokenizer.json beside it.
        var prefixed = HuggingFaceExport.Write(model, withPrefix: true, TinyModels.TempDirectory());
        var (vocab, merges) = ToyGpt2Bpe.Build();
        File.WriteAllText(Path.Combine(prefixed, "tokenizer.json"), JsonSerializer.Serialize(new
        {
            model = new { type = "BPE", vocab, merges = merges.Select(m => m.Left + " " + m.Right).ToArray() },
        }));
        var (again, fileTokenizer) = HuggingFaceGpt2Import.Load(prefixed);
        using (again)
        {
            Assert.Equal("tokenizer.json", fileTokenizer.Name);
            Assert.Equal(Logits(model, 5, 6, 7), Logits(again, 5, 6, 7));
        }
    }

    [Fact]
    public void Broken_files_are_reported_with_the_file_and_the_field()
    {
        var directory = TinyModels.TempDirectory();
        using var model = TinyModels.Create(TinyModels.Tiny);
        LocalCheckpoint.Save(model, directory);
        var weights = Path.Combine(directory, "model.safetensors");

        File.WriteAllText(Path.Combine(directory, "config.json"), File.ReadAllText(Path.Combine(directory, "config.json")).Replace("\"n_embd\": 64", "\"n_embd\": 63"));
        var badWidth = Assert.Throws<UserInputException>(() => LocalCheckpoint.Load(directory));
        Assert.Contains("n_embd", badWidth.Message);

        LocalCheckpoint.Save(model, directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), (model.Config with { Layers = 3 }).ToJson());
        var missing = Assert.Throws<UserInputException>(() => LocalCheckpoint.Load(directory));
        Assert.True(missing.Message.Contains("transformer.h.2", StringComparison.Ordinal), missing.Message);

        File.WriteAllBytes(weights, [1, 2, 3]);
        var truncated = Assert.Throws<UserInputException>(() => SafeTensorsFile.Open(weights));
        Assert.Contains(weights, truncated.Message);

        var header = Encoding.UTF8.GetBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}");
        File.WriteAllBytes(weights, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[8]]);
        var wrongSize = Assert.Throws<UserInputException>(() => SafeTensorsFile.Open(weights));
        Assert.Contains("'x'", wrongSize.Message);
        Assert.Contains("shape", wrongSize.Message);
    }
}
