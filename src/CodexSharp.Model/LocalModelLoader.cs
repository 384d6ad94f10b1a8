using CodexSharp.Core;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model;

/// <summary>Parses "local:DIR" (our checkpoint) and "hf:DIR" (a Hugging Face GPT-2-family directory) and loads them.</summary>
public static class LocalModelLoader
{
    public static bool IsLocalModel(string spec) =>
        spec.StartsWith("local:", StringComparison.Ordinal) || spec.StartsWith("hf:", StringComparison.Ordinal);

    public static (GptModel Model, CodeTokenizer Tokenizer, string Name) Load(string spec)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var (kind, path) = colon < 0 ? ("", spec) : (spec[..colon], spec[(colon + 1)..]);
        if (path.Length == 0) throw new UserInputException($"model '{spec}': expected local:DIR or hf:DIR with a directory");
        var full = Path.GetFullPath(path);
        var (model, tokenizer) = kind switch
        {
            "local" => LocalCheckpoint.Load(full),
            "hf" => HuggingFaceGpt2Import.Load(full),
            _ => throw new UserInputException($"model '{spec}': expected local:DIR or hf:DIR"),
        };
        return (model, tokenizer, $"{kind}:{Path.GetFileName(Path.TrimEndingDirectorySeparator(full))}");
    }
}
