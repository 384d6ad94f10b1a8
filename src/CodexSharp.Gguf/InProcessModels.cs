using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Model;

namespace CodexSharp.Gguf;

/// <summary>Opens any model run in this process: <c>local:DIR</c>, <c>hf:DIR</c>, the shipped models, or <c>gguf:PATH</c>.</summary>
public static class InProcessModels
{
    /// <summary>True when <paramref name="spec"/> names a model run in process.</summary>
    public static bool Names(string spec) => LocalModelLoader.IsLocalModel(spec) || spec.StartsWith("gguf:", StringComparison.Ordinal);

    /// <exception cref="UserInputException">Not a model run in process, or one that cannot be loaded.</exception>
    public static IInProcessModel Load(string spec, LocalModelOptions? local = null, GgufOptions? gguf = null)
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
        return Load(parsed, local, gguf);
    }

    public static IInProcessModel Load(ModelSpec spec, LocalModelOptions? local = null, GgufOptions? gguf = null) => spec.Kind switch
    {
        ModelSpecKind.Gguf => GgufModelGenerator.Load(spec, (gguf ?? new GgufOptions()) with
        {
            MaxBatchRows = local?.MaxBatchRows ?? gguf?.MaxBatchRows ?? new GgufOptions().MaxBatchRows,
            TruncateLongPrompts = local?.TruncateLongPrompts ?? true,
        }),
        _ => LocalModelGenerator.Load(spec, local),
    };
}
