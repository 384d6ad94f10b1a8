using CodexSharp.Core;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model.Checkpoints;

/// <summary>
/// Our checkpoint directory: <c>config.json</c> (the <see cref="GptConfig"/>, tokenizer name included) and
/// <c>model.safetensors</c> whose tensor names are the model's parameter names (GPT-2 keys, torch Linear layout
/// (out, in), head tied to <c>transformer.wte.weight</c>).
/// </summary>
public static class LocalCheckpoint
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";

    /// <param name="storage">Store the weights as this type (float16 or bfloat16 halve the file); null keeps the model's.</param>
    public static void Save(GptModel model, string directory, TorchSharp.torch.ScalarType? storage = null)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ConfigFile), model.Config.ToJson());
        var copies = new List<TorchSharp.torch.Tensor>();
        TorchSharp.torch.Tensor Stored(TorchSharp.torch.Tensor parameter)
        {
            if (storage is not { } type || type == parameter.dtype) return parameter;
            var copy = parameter.detach().to(type);
            copies.Add(copy);
            return copy;
        }
        try
        {
            var tensors = model.named_parameters().Select(p => (p.name, Stored(p.parameter))).ToList();
            SafeTensorsWriter.Write(Path.Combine(directory, WeightsFile), tensors,
                new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "codexsharp", ["tokenizer"] = model.Config.Tokenizer });
        }
        finally
        {
            foreach (var copy in copies) copy.Dispose();
        }
    }

    public static (GptModel Model, CodeTokenizer Tokenizer) Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new UserInputException($"{directory}: checkpoint directory not found");
        var configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath)) throw new UserInputException($"{configPath}: file not found (a checkpoint directory holds {ConfigFile} and {WeightsFile})");
        var config = GptConfig.FromJson(configPath);
        var tokenizer = CodeTokenizer.ByName(config.Tokenizer, directory);
        CheckVocabulary(configPath, config, tokenizer);
        var model = new GptModel(config);
        using (var weights = SafeTensorsFile.Open(Path.Combine(directory, WeightsFile)))
        {
            WeightLoading.Load(model, [weights], name => [name], _ => false, _ => false);
        }
        model.eval();
        return (model, tokenizer);
    }

    internal static void CheckVocabulary(string configPath, GptConfig config, CodeTokenizer tokenizer)
    {
        if (config.VocabSize < tokenizer.VocabularySize)
        {
            throw new UserInputException($"{configPath}: field 'vocab_size': {config.VocabSize} is smaller than tokenizer {tokenizer.Name}'s {tokenizer.VocabularySize} ids");
        }
    }
}
