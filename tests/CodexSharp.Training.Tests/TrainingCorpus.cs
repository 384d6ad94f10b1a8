using CodexSharp.Model.Tokenization;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Tests;

/// <summary>Token corpora for the training tests, written in the corpus layout (train.bin, val.bin, corpus.json).</summary>
internal static class TrainingCorpus
{
    private static readonly Lazy<ushort[]> StandardLibrary = new(TokenizeStandardLibrary);

    /// <summary>
    /// p50k tokens of a few modules of Debian's Python standard library (about 40k tokens; the same files on
    /// every machine with python3), each followed by &lt;|endoftext|&gt;.
    /// </summary>
    public static ushort[] StandardLibraryTokens => StandardLibrary.Value;

    /// <summary>Writes a corpus of <paramref name="tokens"/>: the last <paramref name="validationTokens"/> are val.bin.</summary>
    public static string Write(string directory, ushort[] tokens, int validationTokens, string tokenizer = CodeTokenizer.P50kBase)
    {
        Directory.CreateDirectory(directory);
        var train = tokens[..^validationTokens];
        var validation = tokens[^validationTokens..];
        File.WriteAllBytes(Path.Combine(directory, CorpusData.TrainFile), System.Runtime.InteropServices.MemoryMarshal.AsBytes(train.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(directory, CorpusData.ValidationFile), System.Runtime.InteropServices.MemoryMarshal.AsBytes(validation.AsSpan()).ToArray());
        var manifest = new CorpusManifest
        {
            Tokenizer = tokenizer,
            EndOfText = 50256,
            CreatedUtc = DateTimeOffset.UnixEpoch,
            WallSeconds = 0,
            Sources = [],
            FilesSeen = 1,
            BytesSeen = 0,
            FilesKept = 1,
            BytesKept = 0,
            Dropped = DropReasons.All.ToDictionary(r => r, _ => 0L),
            Train = new CorpusSplit(CorpusData.TrainFile, 1, train.Length * 2L, train.Length),
            Validation = new CorpusSplit(CorpusData.ValidationFile, 1, validation.Length * 2L, validation.Length),
            ValFraction = 0.1,
            Seed = 0,
            Filters = new CorpusFilterSettings(),
            Decontamination = new CorpusDecontamination(false, 50, 100, []),
        };
        File.WriteAllText(Path.Combine(directory, CorpusManifest.FileName), manifest.ToJson());
        return directory;
    }

    private static ushort[] TokenizeStandardLibrary()
    {
        var library = Directory.GetDirectories("/usr/lib", "python3.*").Where(d => File.Exists(Path.Combine(d, "textwrap.py"))).Order(StringComparer.Ordinal).First();
        var tokenizer = CodeTokenizer.CreateP50kBase();
        var tokens = new List<ushort>();
        foreach (var module in new[] { "textwrap.py", "bisect.py", "heapq.py", "colorsys.py", "keyword.py", "fnmatch.py", "shlex.py" })
        {
            tokens.AddRange(tokenizer.Encode(File.ReadAllText(Path.Combine(library, module))).Select(id => (ushort)id));
            tokens.Add((ushort)tokenizer.EndOfText);
        }
        return [.. tokens];
    }
}
