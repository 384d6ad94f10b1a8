using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using CodexSharp.Core;
using CodexSharp.Core.Datasets;
using CodexSharp.Core.Io;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Training.Corpus;

/// <summary>Where a build is: files and bytes read, kept and dropped, and the source being read.</summary>
public sealed record CorpusProgress(long FilesSeen, long BytesSeen, long FilesKept, long FilesDropped, long Tokens, string Source);

/// <summary>
/// <c>corpus build</c>: reads the .py files of every source in order, filters them, tokenizes the survivors with
/// p50k_base and appends them to train.bin or val.bin, then writes corpus.json.
/// </summary>
/// <remarks>
/// One reader streams the files; the workers (<see cref="CorpusConfig.Threads"/>) filter and tokenize them in
/// parallel; the writer takes them back in source order, drops duplicates (the first copy wins) and writes.
/// Memory holds a few files, never the corpus. The token files are written under temporary names and renamed
/// only when complete, and corpus.json last, so a stopped build never leaves a folder that opens as a corpus.
/// The split is per file and depends only on the seed and the file's normalised content.
/// </remarks>
public static class CorpusBuilder
{
    private const string TemporarySuffix = ".partial";

    // One p50k_base per worker thread, kept for the process: loading the ranks costs more than a small build, and
    // one instance shared by the workers serialises them on its cache.
    [ThreadStatic]
    private static CodeTokenizer? t_tokenizer;

    private static CodeTokenizer WorkerTokenizer => t_tokenizer ??= CodeTokenizer.CreateP50kBase();

    /// <summary>Builds the corpus <paramref name="config"/> describes.</summary>
    /// <exception cref="UserInputException">A source is missing, empty or not what its name says; --out holds a
    /// corpus (without --force); no benchmark file; every file was filtered out.</exception>
    public static CorpusManifest Build(CorpusConfig config, IProgress<CorpusProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        config.Validate();
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var output = Path.GetFullPath(config.OutputDirectory);
        PrepareOutput(output, config.Force);
        var sources = PythonSources.Inspect(config.Sources);
        var benchmarks = config.Decontaminate ? config.Benchmarks.Select(BenchmarkFile.Read).ToList() : [];
        if (config.Decontaminate && benchmarks.Count == 0)
            throw new UserInputException("no benchmark files to decontaminate against; pass --benchmark FILE (HumanEval, HumanEval+, MBPP, MBPP+ files) or --no-decontaminate.");
        var filters = config.Filters;
        var index = new ContaminationIndex(filters.ContaminationWindowChars, filters.MinSolutionChars, benchmarks);

        var trainPath = Path.Combine(output, CorpusData.TrainFile);
        var valPath = Path.Combine(output, CorpusData.ValidationFile);
        var dropped = DropReasons.All.ToDictionary(r => r, _ => 0L);
        long filesSeen = 0, bytesSeen = 0;
        var tokenizer = WorkerTokenizer;
        using (var writer = new SplitWriter(trainPath + TemporarySuffix, valPath + TemporarySuffix, (ushort)tokenizer.EndOfText, config.ValFraction > 0))
        {
            try
            {
                var firstClaims = new ConcurrentDictionary<UInt128, long>();
                var files = sources.SelectMany((tally, i) => PythonSources.Read(i, tally, filters.MaxFileBytes))
                    .Select((file, order) => (file, order: (long)order));
                var examined = System.Collections.Concurrent.Partitioner.Create(files, EnumerablePartitionerOptions.NoBuffering)
                    .AsParallel().AsOrdered()
                    .WithDegreeOfParallelism(config.Threads)
                    .WithMergeOptions(ParallelMergeOptions.NotBuffered)
                    .WithCancellation(cancellationToken)
                    .Select(item => Examine(item.file, item.order, filters, index, firstClaims, WorkerTokenizer));
                var seen = new HashSet<UInt128>();
                foreach (var file in Unwrapped(examined))
                {
                    filesSeen++;
                    bytesSeen += file.Source.Length;
                    var reason = file.Reason ?? (seen.Add(file.ContentHash) ? null : DropReasons.Duplicate);
                    if (reason is not null)
                    {
                        dropped[reason]++;
                    }
                    else
                    {
                        sources[file.Source.Source].FilesKept++;
                        writer.Add(file.Tokens!, file.Source.Length, IsValidation(file.ContentHash, config.Seed, config.ValFraction));
                    }
                    progress?.Report(new CorpusProgress(filesSeen, bytesSeen, writer.Files, filesSeen - writer.Files, writer.Tokens,
                        sources[file.Source.Source].Path));
                }
                writer.Finish();
                if (writer.Files == 0)
                {
                    throw new UserInputException($"every one of the {filesSeen} .py files was filtered out ({Describe(dropped)}); nothing to write.");
                }
                OutputFiles.Guard(trainPath, () => File.Move(trainPath + TemporarySuffix, trainPath, overwrite: true));
                OutputFiles.Guard(valPath, () => File.Move(valPath + TemporarySuffix, valPath, overwrite: true));
            }
            catch
            {
                writer.Dispose();
                TryDelete(trainPath + TemporarySuffix);
                TryDelete(valPath + TemporarySuffix);
                throw;
            }

            var manifest = new CorpusManifest
            {
                Tokenizer = tokenizer.Name,
                EndOfText = tokenizer.EndOfText,
                CreatedUtc = started,
                WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
                Sources = sources.Select(s => s.ToManifest()).ToList(),
                FilesSeen = filesSeen,
                BytesSeen = bytesSeen,
                FilesKept = writer.Files,
                BytesKept = writer.Train.Bytes + writer.Validation.Bytes,
                Dropped = dropped,
                Train = writer.Train with { File = CorpusData.TrainFile },
                Validation = writer.Validation with { File = CorpusData.ValidationFile },
                ValFraction = config.ValFraction,
                Seed = config.Seed,
                Filters = filters,
                Decontamination = new CorpusDecontamination(config.Decontaminate, filters.ContaminationWindowChars, filters.MinSolutionChars, index.Facts),
            };
            var manifestPath = Path.Combine(output, CorpusManifest.FileName);
            OutputFiles.Guard(manifestPath, () => AtomicFile.WriteAllText(manifestPath, manifest.ToJson()));
            return manifest;
        }
    }

    /// <summary>
    /// The catalog's Python data sets that are in the dataset cache: what decontamination reads when no benchmark
    /// file is given. A translation into another language (humaneval-cs) is left out: a Python corpus cannot hold its
    /// code, and its problems are HumanEval's, which are read in Python.
    /// </summary>
    public static IReadOnlyList<string> CachedBenchmarks(string cacheDirectory) =>
        DatasetCatalog.All.Where(d => d.Language == "python").Select(d => DatasetCache.PathIn(cacheDirectory, d)).Where(File.Exists).ToList();

    /// <summary>A file after the workers: why it is dropped (null: kept), its content hash, its tokens.</summary>
    private sealed record ExaminedFile(SourceFile Source, string? Reason, UInt128 ContentHash, ushort[]? Tokens);

    private static ExaminedFile Examine(SourceFile file, long order, CorpusFilterSettings filters, ContaminationIndex index,
        ConcurrentDictionary<UInt128, long> firstClaims, CodeTokenizer tokenizer)
    {
        if (file.Bytes is null || file.Length > filters.MaxFileBytes) return new(file, DropReasons.TooLarge, default, null);
        var text = QualityFilters.DecodeUtf8(file.Bytes);
        if (text is null) return new(file, DropReasons.NotUtf8, default, null);
        if (QualityFilters.Check(text, filters) is { } reason) return new(file, reason, default, null);
        var normalized = WhitespaceNormalizer.Normalize(text);
        if (index.Contains(normalized)) return new(file, DropReasons.Contaminated, default, null);
        var hash = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(normalized.AsSpan()));
        // An earlier copy already passed: the writer will drop this one as a duplicate, so skip tokenizing it.
        if (firstClaims.AddOrUpdate(hash, order, (_, earlier) => Math.Min(earlier, order)) < order) return new(file, null, hash, null);
        return new(file, null, hash, EncodeAsText(tokenizer, text));
    }

    /// <summary>The ids of <paramref name="text"/> (a literal "&lt;|endoftext|&gt;" stays text: see <see cref="CodeTokenizer.Encode"/>).</summary>
    internal static ushort[] EncodeAsText(CodeTokenizer tokenizer, string text)
    {
        var ids = tokenizer.Encode(text);
        var tokens = new ushort[ids.Count];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = checked((ushort)ids[i]);
        return tokens;
    }

    /// <summary>The items, with a mistake found by a worker or the reader rethrown as itself rather than inside PLINQ's AggregateException.</summary>
    private static IEnumerable<T> Unwrapped<T>(IEnumerable<T> items)
    {
        using var enumerator = items.GetEnumerator();
        while (true)
        {
            try
            {
                if (!enumerator.MoveNext()) yield break;
            }
            catch (AggregateException e) when (e.Flatten().InnerExceptions.FirstOrDefault(i => i is UserInputException) is { } inner)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
            }
            yield return enumerator.Current;
        }
    }

    /// <summary>Whether a file goes to val.bin: a hash of the seed and its content, as a fraction of 2^64, below the val fraction.</summary>
    internal static bool IsValidation(UInt128 contentHash, long seed, double valFraction)
    {
        Span<byte> key = stackalloc byte[24];
        MemoryMarshal.Write(key, in seed);
        MemoryMarshal.Write(key[8..], in contentHash);
        return XxHash64.HashToUInt64(key) / 18446744073709551616.0 < valFraction;
    }

    /// <summary>Creates --out, refusing one that holds a corpus unless <paramref name="force"/>; with it, removes the old corpus first.</summary>
    private static void PrepareOutput(string output, bool force)
    {
        if (File.Exists(output)) throw new UserInputException($"--out {output}: is a file; expected a folder for the corpus.");
        var existing = new[] { CorpusManifest.FileName, CorpusData.TrainFile, CorpusData.ValidationFile }
            .Select(f => Path.Combine(output, f)).Where(File.Exists).ToList();
        if (existing.Count > 0 && !force)
            throw new UserInputException($"--out {output}: holds a corpus already ({string.Join(", ", existing.Select(Path.GetFileName))}); pass --force to replace it, or choose another folder.");
        OutputFiles.Guard(output, () => Directory.CreateDirectory(output));
        // The manifest goes first: without it the folder is not a corpus until this build finishes.
        foreach (var file in existing) OutputFiles.Guard(file, () => File.Delete(file));
    }

    private static string Describe(IReadOnlyDictionary<string, long> dropped) =>
        string.Join(", ", dropped.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}"));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
