using CodexSharp.Core;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model.Modeling;

/// <summary>
/// Named model shapes. The Codex paper gives sizes (12M … 12B) but not layer shapes, so these shapes are ours;
/// parameter counts include the (tied) embedding.
/// </summary>
public static class GptPresets
{
    /// <summary>For tests and demos: ~3.3M parameters, almost all of them the embedding.</summary>
    public static GptConfig Tiny { get; } = new() { Layers = 2, Heads = 2, Width = 64, Context = 256 };

    /// <summary>
    /// ~7.3M parameters (4 × 128, a 512-token context) of which 0.8M are the blocks: the shipped model's shape, meant to
    /// be trained with a frequent-token head (<c>--head-tokens 8192</c>), which makes a step cheaper than <c>tiny</c>'s.
    /// </summary>
    public static GptConfig Small7M { get; } = new() { Layers = 4, Heads = 4, Width = 128, Context = 512 };

    /// <summary>~30M parameters (6 × 384): the sampling benchmark's size.</summary>
    public static GptConfig Small30M { get; } = new() { Layers = 6, Heads = 6, Width = 384, Context = 1024 };

    /// <summary>~85M parameters (12 × 576), Codex-85M's size.</summary>
    public static GptConfig Medium85M { get; } = new() { Layers = 12, Heads = 9, Width = 576, Context = 2048 };

    /// <summary>GPT-2 small (124M) with its own tokenizer, for imported checkpoints.</summary>
    public static GptConfig Gpt2 { get; } = new() { Layers = 12, Heads = 12, Width = 768, Context = 1024, VocabSize = 50257, Tokenizer = CodeTokenizer.R50kBase };

    /// <summary>Preset names accepted by <see cref="ByName"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tiny", "7m", "30m", "85m", "gpt2"];

    public static GptConfig ByName(string name) => name switch
    {
        "tiny" => Tiny,
        "7m" => Small7M,
        "30m" => Small30M,
        "85m" => Medium85M,
        "gpt2" => Gpt2,
        _ => throw new UserInputException($"unknown model preset '{name}' (expected one of: {string.Join(", ", Names)})"),
    };
}
