using System.Security.Cryptography;
using CodexSharp.Core;

namespace CodexSharp.Training.Corpus;

/// <summary>
/// A corpus made by <c>codexsharp corpus build</c>, opened for training: the parsed <see cref="Manifest"/> and
/// the two token streams, memory-mapped (nothing is read until it is touched, and the OS shares the pages).
/// </summary>
/// <example>
/// <code>
/// using var corpus = CorpusData.Open("/data/debian");
/// if (corpus.Manifest.Tokenizer != CodeTokenizer.P50kBase) ...;   // the model's tokenizer must match
/// ReadOnlySpan&lt;ushort&gt; block = corpus.Train.Slice(start, blockSize + 1);
/// </code>
/// </example>
/// <remarks>
/// A folder counts as a corpus only when <c>corpus.json</c> is there (it is written last) and both token files
/// have exactly the sizes it records; anything else is a <see cref="UserInputException"/> (exit 2).
/// Thread-safe for reading. Dispose to unmap.
/// </remarks>
public sealed class CorpusData : IDisposable
{
    /// <summary>The training split's file name.</summary>
    public const string TrainFile = "train.bin";

    /// <summary>The validation split's file name.</summary>
    public const string ValidationFile = "val.bin";

    private CorpusData(string directory, CorpusManifest manifest, string manifestSha256, TokenStream train, TokenStream validation)
    {
        Directory = directory;
        Manifest = manifest;
        ManifestSha256 = manifestSha256;
        Train = train;
        Validation = validation;
    }

    /// <summary>The corpus folder (full path).</summary>
    public string Directory { get; }

    /// <summary>corpus.json: tokenizer, token counts, sources, filters.</summary>
    public CorpusManifest Manifest { get; }

    /// <summary>SHA-256 (lower-case hex) of corpus.json's bytes: names the data a training run used.</summary>
    public string ManifestSha256 { get; }

    /// <summary>train.bin: every training file's tokens, each followed by &lt;|endoftext|&gt;.</summary>
    public TokenStream Train { get; }

    /// <summary>val.bin, laid out like <see cref="Train"/> (may be empty for a very small corpus).</summary>
    public TokenStream Validation { get; }

    /// <summary>Opens the corpus in <paramref name="directory"/>.</summary>
    /// <exception cref="UserInputException">The folder is missing, has no corpus.json, or its token files are
    /// missing or not the size the manifest records (an interrupted or tampered build).</exception>
    public static CorpusData Open(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full)) throw new UserInputException($"{full}: no such folder; build a corpus with `codexsharp corpus build SRC --out {directory}`.");
        var manifestPath = Path.Combine(full, CorpusManifest.FileName);
        if (!File.Exists(manifestPath))
            throw new UserInputException($"{full}: has no {CorpusManifest.FileName}, so it is not a finished corpus; build one with `codexsharp corpus build SRC --out {directory}`.");
        var bytes = File.ReadAllBytes(manifestPath);
        var manifest = CorpusManifest.Read(manifestPath);
        var train = TokenStream.Open(Path.Combine(full, manifest.Train.File), manifest.Train.Tokens);
        try
        {
            var validation = TokenStream.Open(Path.Combine(full, manifest.Validation.File), manifest.Validation.Tokens);
            return new CorpusData(full, manifest, Convert.ToHexStringLower(SHA256.HashData(bytes)), train, validation);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
    }
}
