using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model;

/// <summary>Loads the checkpoints a <see cref="ModelSpec"/> names for running in this process: <c>local:DIR</c> (ours)
/// and <c>hf:DIR</c> (a Hugging Face GPT-2-family folder).</summary>
public static class LocalModelLoader
{
    /// <summary>True when <paramref name="spec"/> is written as <c>local:DIR</c> or <c>hf:DIR</c>, or names a shipped model (<c>default</c>).</summary>
    public static bool IsLocalModel(string spec) =>
        spec.StartsWith("local:", StringComparison.Ordinal) || spec.StartsWith("hf:", StringComparison.Ordinal) || ModelSpec.ShippedModels.ContainsKey(spec.Trim());

    /// <summary>Parses <paramref name="spec"/> with <see cref="ModelSpec.Parse"/> and loads it.</summary>
    /// <exception cref="UserInputException">The text is not <c>local:DIR</c> or <c>hf:DIR</c>, or the folder is no checkpoint.</exception>
    public static (GptModel Model, CodeTokenizer Tokenizer, string Name) Load(string spec)
    {
        ModelSpec parsed;
        try
        {
            parsed = ModelSpec.Parse(spec);
        }
        catch (ConfigException e)
        {
            throw new UserInputException($"model {e.Reason}");
        }
        return Load(parsed);
    }

    /// <exception cref="UserInputException">The spec names a server, or the folder is no checkpoint.</exception>
    public static (GptModel Model, CodeTokenizer Tokenizer, string Name) Load(ModelSpec spec)
    {
        var full = Path.GetFullPath(spec.Model);
        var (model, tokenizer) = spec.Kind switch
        {
            ModelSpecKind.Local => LocalCheckpoint.Load(full),
            ModelSpecKind.HuggingFace => HuggingFaceGpt2Import.Load(full),
            _ => throw new UserInputException($"model '{spec.Text}': expected local:DIR or hf:DIR"),
        };
        var prefix = spec.Kind == ModelSpecKind.Local ? "local" : "hf";
        return (model, tokenizer, $"{prefix}:{Path.GetFileName(Path.TrimEndingDirectorySeparator(full))}");
    }
}
