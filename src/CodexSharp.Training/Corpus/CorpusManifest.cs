using System.Text.Json;
using System.Text.Json.Serialization;
using CodexSharp.Core;
using CodexSharp.Core.Evaluation;

namespace CodexSharp.Training.Corpus;

/// <summary>
/// <c>corpus.json</c>: how a corpus was made and what it holds. Written last, atomically, so a folder with a
/// <c>corpus.json</c> has complete token files; <see cref="CorpusData.Open"/> checks their sizes against it.
/// </summary>
public sealed record CorpusManifest
{
    /// <summary>The manifest's file name inside a corpus folder.</summary>
    public const string FileName = "corpus.json";

    /// <summary>The layout version this code writes and reads.</summary>
    public const string CurrentFormat = "codexsharp-corpus/1";

    public string Format { get; init; } = CurrentFormat;
    public string Tool { get; init; } = "codexsharp";
    public string Version { get; init; } = ToolInfo.Version;

    /// <summary>The tokenizer the ids belong to (<c>p50k_base</c>); a model trained on the corpus must use it.</summary>
    public required string Tokenizer { get; init; }

    /// <summary>The id written after every file: &lt;|endoftext|&gt;.</summary>
    public required int EndOfText { get; init; }

    /// <summary>How the token files are laid out.</summary>
    public string TokenEncoding { get; init; } = "uint16 little-endian";

    public required DateTimeOffset CreatedUtc { get; init; }
    public required double WallSeconds { get; init; }

    /// <summary>Each SRC as given, with what it contributed.</summary>
    public required IReadOnlyList<CorpusSource> Sources { get; init; }

    /// <summary>Python files read from all sources (kept + dropped).</summary>
    public required long FilesSeen { get; init; }
    public required long BytesSeen { get; init; }
    public required long FilesKept { get; init; }
    public required long BytesKept { get; init; }

    /// <summary>Files dropped, by reason (every key of <see cref="DropReasons.All"/> is present).</summary>
    public required IReadOnlyDictionary<string, long> Dropped { get; init; }

    public required CorpusSplit Train { get; init; }

    [JsonPropertyName("val")]
    public required CorpusSplit Validation { get; init; }

    public required double ValFraction { get; init; }
    public required long Seed { get; init; }
    public required CorpusFilterSettings Filters { get; init; }
    public required CorpusDecontamination Decontamination { get; init; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="UserInputException">Missing, not JSON, or not a corpus manifest of this format.</exception>
    public static CorpusManifest Read(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: no such file; is the folder a corpus made by `codexsharp corpus build`?");
        CorpusManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CorpusManifest>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException e)
        {
            throw UserInputException.At(path, (e.LineNumber ?? 0) + 1, e.Path, $"not a corpus manifest: {e.Message}");
        }
        if (manifest is null) throw new UserInputException($"{path}: not a corpus manifest (null).");
        if (manifest.Format != CurrentFormat)
            throw new UserInputException($"{path}: field 'format': '{manifest.Format}', expected '{CurrentFormat}'; rebuild the corpus with this version.");
        return manifest;
    }

    /// <summary>The manifest as written: snake_case, indented.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    internal static JsonSerializerOptions Json => Evaluator.SummaryJson;
}

/// <summary>One SRC: a folder of .py files, a .deb, or a tar archive.</summary>
/// <param name="Path">The path as resolved.</param>
/// <param name="Kind"><c>directory</c>, <c>python</c>, <c>deb</c> or <c>tar</c>.</param>
/// <param name="Sha256">Of the file for archives (a .deb's matches Debian's Packages index); for a folder, of
/// its .py files in walk order, each as relative path, NUL, bytes, NUL.</param>
/// <param name="Bytes">Size of the archive, or of the folder's .py files.</param>
public sealed record CorpusSource(string Path, string Kind, string Sha256, long Bytes, long FilesSeen, long FilesKept);

/// <summary>One split's token file.</summary>
/// <param name="File">Its name inside the corpus folder (<c>train.bin</c>, <c>val.bin</c>).</param>
/// <param name="Tokens">uint16 ids in the file, the &lt;|endoftext|&gt; after each source file included.</param>
public sealed record CorpusSplit(string File, long Files, long Bytes, long Tokens);

/// <summary>What decontamination compared against.</summary>
public sealed record CorpusDecontamination(
    bool Enabled, int WindowChars, int MinSolutionChars, IReadOnlyList<BenchmarkFileFacts> Benchmarks);

/// <summary>A benchmark file read for decontamination.</summary>
/// <param name="Format"><c>humaneval</c> (prompt + canonical_solution: HumanEval, HumanEval+, MBPP+) or <c>mbpp</c> (text + code).</param>
/// <param name="SolutionsUsed">Canonical solutions long enough to search for.</param>
/// <param name="SolutionsTooShort">Solutions shorter than the minimum, not searched for (a one-line <c>return x</c> is everywhere).</param>
public sealed record BenchmarkFileFacts(string Path, string Name, string Sha256, string Format, int Problems,
    int DocstringWindows, int SolutionsUsed, int SolutionsTooShort);

/// <summary>The reasons a file is left out, as counted in <see cref="CorpusManifest.Dropped"/>, in the order they are checked.</summary>
public static class DropReasons
{
    public const string TooLarge = "too_large";
    public const string NotUtf8 = "not_utf8";
    public const string Generated = "generated";
    public const string LongLines = "long_lines";
    public const string LowAlphanumeric = "low_alphanumeric";
    public const string Contaminated = "contaminated";
    public const string Duplicate = "duplicate";

    public static IReadOnlyList<string> All { get; } = [TooLarge, NotUtf8, Generated, LongLines, LowAlphanumeric, Contaminated, Duplicate];
}
