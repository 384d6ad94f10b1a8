using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model.Tests;

/// <summary>Small random-weight models shared by the tests (built fresh per call; they are cheap).</summary>
internal static class TinyModels
{
    /// <summary>A model over a 50-id vocabulary: for maths checks where the tokenizer does not matter.</summary>
    public static GptConfig Micro { get; } = new() { Layers = 2, Heads = 2, Width = 16, Context = 32, VocabSize = 50 };

    /// <summary>The tiny preset with the p50k_base tokenizer: for sampling text.</summary>
    public static GptConfig Tiny => GptPresets.Tiny;

    private static readonly Lazy<CodeTokenizer> P50k = new(CodeTokenizer.CreateP50kBase);

    public static CodeTokenizer P50kTokenizer => P50k.Value;

    public static GptModel Create(GptConfig config, long seed = 1) => GptModel.CreateRandom(config, seed);

    /// <summary>A fresh directory under the temp folder, removed when the test process exits.</summary>
    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "codexsharp-model-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return path;
    }
}
