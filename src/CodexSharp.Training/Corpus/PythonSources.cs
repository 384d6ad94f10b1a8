using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using CodexSharp.Core;
using SharpCompress.Compressors.Xz;
using ZstdSharp;

namespace CodexSharp.Training.Corpus;

/// <summary>One .py file read from a source: its bytes, or only its length when it is over the size limit.</summary>
/// <param name="Source">Index of the source in the config's list.</param>
/// <param name="Path">Where it came from: a file path, or <c>ARCHIVE:member</c>.</param>
/// <param name="Bytes">The content; null when <paramref name="Length"/> is over the limit (never read into memory).</param>
internal sealed record SourceFile(int Source, string Path, long Length, byte[]? Bytes);

/// <summary>What a source turned out to be and held; filled in while it is read.</summary>
internal sealed class SourceTally(string path, string kind)
{
    public string Path { get; } = path;
    public string Kind { get; } = kind;
    public string Sha256 { get; set; } = "";
    public long Bytes { get; set; }
    public long FilesSeen { get; set; }
    public long FilesKept { get; set; }

    public CorpusSource ToManifest() => new(Path, Kind, Sha256, Bytes, FilesSeen, FilesKept);
}

/// <summary>
/// Streams the .py files of the sources, in a fixed order: a folder's files sorted by path (hidden entries and
/// symbolic links skipped), an archive's in archive order. A .deb is read as an <c>ar</c> archive whose
/// <c>data.tar</c> member (xz, zstd, gzip or none) is a tar; a tar archive may be plain, gzip, xz or zstd,
/// recognised by its bytes. Nothing is installed and nothing is extracted to disk.
/// </summary>
internal static class PythonSources
{
    /// <summary>Checks that each source exists and is a kind we read, and hashes the archives.</summary>
    /// <exception cref="UserInputException">Missing, or a file that is not a folder, .py, .deb or tar archive.</exception>
    public static IReadOnlyList<SourceTally> Inspect(IReadOnlyList<string> sources)
    {
        var tallies = new List<SourceTally>();
        foreach (var source in sources)
        {
            var full = System.IO.Path.GetFullPath(source);
            if (Directory.Exists(full))
            {
                if (!Directory.EnumerateFiles(full, "*.py", WalkOptions).Any()) throw new UserInputException($"{source}: holds no .py files.");
                tallies.Add(new SourceTally(full, "directory"));
                continue;
            }
            if (!File.Exists(full)) throw new UserInputException($"{source}: no such file or folder.");
            var kind = KindOf(full) ?? throw new UserInputException(
                $"{source}: not a source: expected a folder, a .py file, a .deb package or a tar archive (.tar, .tar.gz, .tgz, .tar.xz, .txz, .tar.zst, .tzst).");
            using var stream = File.OpenRead(full);
            var tally = new SourceTally(full, kind) { Bytes = stream.Length };
            if (kind == "deb" && !ArArchive.HasMagic(stream))
                throw new UserInputException($"{source}: named .deb but is not a Debian package (no ar archive header).");
            tally.Sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
            tallies.Add(tally);
        }
        return tallies;
    }

    /// <summary>The files of source <paramref name="index"/>; wrong or damaged archive data is a <see cref="UserInputException"/>.</summary>
    public static IEnumerable<SourceFile> Read(int index, SourceTally tally, long maxBytes)
    {
        var inner = tally.Kind switch
        {
            "directory" => ReadDirectory(index, tally, maxBytes),
            "python" => ReadPythonFile(index, tally, maxBytes),
            "deb" => ReadDeb(index, tally, maxBytes),
            _ => ReadTarFile(index, tally, maxBytes),
        };
        using var files = inner.GetEnumerator();
        while (true)
        {
            try
            {
                if (!files.MoveNext()) break;
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ZstdException
                                          or SharpCompress.Common.ArchiveException or InvalidOperationException or NotSupportedException)
            {
                throw new UserInputException($"{tally.Path}: cannot read it as a {Describe(tally.Kind)}: {e.Message}");
            }
            tally.FilesSeen++;
            yield return files.Current;
        }
        if (tally.FilesSeen == 0) throw new UserInputException($"{tally.Path}: holds no .py files.");
    }

    private static EnumerationOptions WalkOptions => new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
    };

    private static string Describe(string kind) => kind switch { "deb" => "Debian package", "tar" => "tar archive", _ => kind };

    private static string? KindOf(string path)
    {
        var name = System.IO.Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".py", StringComparison.Ordinal)) return "python";
        if (name.EndsWith(".deb", StringComparison.Ordinal)) return "deb";
        string[] tars = [".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.zst", ".tar.zstd", ".tzst"];
        return tars.Any(t => name.EndsWith(t, StringComparison.Ordinal)) ? "tar" : null;
    }

    private static IEnumerable<SourceFile> ReadDirectory(int index, SourceTally tally, long maxBytes)
    {
        var files = Directory.EnumerateFiles(tally.Path, "*.py", WalkOptions).Order(StringComparer.Ordinal).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            var relative = System.IO.Path.GetRelativePath(tally.Path, file);
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(relative + "\0"));
            var (length, bytes) = ReadFile(file, maxBytes, hash);
            hash.AppendData("\0"u8);
            tally.Bytes += length;
            yield return new SourceFile(index, file, length, bytes);
        }
        tally.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static IEnumerable<SourceFile> ReadPythonFile(int index, SourceTally tally, long maxBytes)
    {
        var (length, bytes) = ReadFile(tally.Path, maxBytes, null);
        yield return new SourceFile(index, tally.Path, length, bytes);
    }

    /// <summary>Reads a file whole, or (over the limit) only streams it through <paramref name="hash"/>.</summary>
    private static (long Length, byte[]? Bytes) ReadFile(string path, long maxBytes, IncrementalHash? hash)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var length = stream.Length;
        if (length > maxBytes)
        {
            if (hash is not null)
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
            }
            return (length, null);
        }
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        hash?.AppendData(bytes);
        return (length, bytes);
    }

    private static IEnumerable<SourceFile> ReadDeb(int index, SourceTally tally, long maxBytes)
    {
        using var file = new FileStream(tally.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var member = ArArchive.Seek(file, name => name.StartsWith("data.tar", StringComparison.Ordinal))
                     ?? throw new InvalidDataException("the package has no data.tar member");
        using var data = new BoundedStream(file, member.Size);
        foreach (var f in ReadTar(index, tally.Path, data, maxBytes)) yield return f;
    }

    private static IEnumerable<SourceFile> ReadTarFile(int index, SourceTally tally, long maxBytes)
    {
        using var file = new FileStream(tally.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var name = System.IO.Path.GetFileName(tally.Path).ToLowerInvariant();
        var expected = name.EndsWith(".gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal) ? "gzip"
            : name.EndsWith(".xz", StringComparison.Ordinal) || name.EndsWith(".txz", StringComparison.Ordinal) ? "xz"
            : name.Contains(".zst", StringComparison.Ordinal) || name.EndsWith(".tzst", StringComparison.Ordinal) ? "zstd"
            : "none";
        var actual = Compression(file);
        if (actual != expected)
            throw new UserInputException($"{tally.Path}: its name says {(expected == "none" ? "an uncompressed tar" : expected + " compression")}, but its bytes are {(actual == "none" ? "not compressed" : actual + " data")}.");
        foreach (var f in ReadTar(index, tally.Path, file, maxBytes)) yield return f;
    }

    /// <summary>The .py regular files of a (possibly compressed) tar stream.</summary>
    private static IEnumerable<SourceFile> ReadTar(int index, string archive, Stream compressed, long maxBytes)
    {
        using var decompressed = Decompress(compressed);
        using var tar = new TarReader(decompressed);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            if (!entry.Name.EndsWith(".py", StringComparison.Ordinal)) continue;
            var member = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            if (entry.Length > maxBytes || entry.DataStream is null)
            {
                yield return new SourceFile(index, $"{archive}:{member}", entry.Length, entry.Length > maxBytes ? null : []);
                continue;
            }
            var bytes = new byte[entry.Length];
            entry.DataStream.ReadExactly(bytes);
            yield return new SourceFile(index, $"{archive}:{member}", entry.Length, bytes);
        }
    }

    private static Stream Decompress(Stream stream) => Compression(stream) switch
    {
        "gzip" => new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true),
        "xz" => new XZStream(stream),
        "zstd" => new DecompressionStream(stream, leaveOpen: true),
        _ => new BoundedStream(stream, long.MaxValue),
    };

    /// <summary>gzip, xz, zstd or none, from the first bytes (the position is restored).</summary>
    private static string Compression(Stream stream)
    {
        Span<byte> head = stackalloc byte[6];
        var start = stream.Position;
        var read = stream.ReadAtLeast(head, 6, throwOnEndOfStream: false);
        stream.Position = start;
        head = head[..read];
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return "gzip";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00])) return "xz";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD])) return "zstd";
        return "none";
    }
}
