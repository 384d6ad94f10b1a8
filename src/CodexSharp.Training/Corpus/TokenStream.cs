using System.IO.MemoryMappedFiles;
using CodexSharp.Core;

namespace CodexSharp.Training.Corpus;

/// <summary>
/// A read-only, memory-mapped file of uint16 little-endian token ids (a corpus split). Indexing and
/// <see cref="Slice"/> read straight from the mapping; nothing is copied until the caller copies.
/// </summary>
public sealed unsafe class TokenStream : IDisposable
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly ushort* _tokens;

    private TokenStream(string path, long count, MemoryMappedFile? file, MemoryMappedViewAccessor? view, ushort* tokens)
    {
        Path = path;
        Count = count;
        _file = file;
        _view = view;
        _tokens = tokens;
    }

    /// <summary>The file mapped.</summary>
    public string Path { get; }

    /// <summary>Number of token ids.</summary>
    public long Count { get; }

    /// <summary>The id at <paramref name="index"/>.</summary>
    public ushort this[long index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _tokens[index];
        }
    }

    /// <summary><paramref name="length"/> ids from <paramref name="start"/>, read from the mapping (valid until disposal).</summary>
    public ReadOnlySpan<ushort> Slice(long start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Count);
        return length == 0 ? [] : new ReadOnlySpan<ushort>(_tokens + start, length);
    }

    /// <summary>Copies ids from <paramref name="start"/> into <paramref name="destination"/>, widened (e.g. for an int64 tensor).</summary>
    public void CopyTo(long start, Span<long> destination)
    {
        var source = Slice(start, destination.Length);
        for (var i = 0; i < source.Length; i++) destination[i] = source[i];
    }

    /// <summary>Maps <paramref name="path"/>, which must hold exactly <paramref name="expectedCount"/> ids.</summary>
    /// <exception cref="UserInputException">The file is missing or has another size.</exception>
    public static TokenStream Open(string path, long expectedCount)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("token files are little-endian; this machine is not");
        if (!File.Exists(path)) throw new UserInputException($"{path}: no such file; the corpus is incomplete, build it again.");
        var length = new FileInfo(path).Length;
        if (length != expectedCount * sizeof(ushort))
            throw new UserInputException($"{path}: {length} bytes, but corpus.json records {expectedCount} tokens ({expectedCount * sizeof(ushort)} bytes); the corpus is damaged, build it again.");
        if (length == 0) return new TokenStream(path, 0, null, null, null);
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new TokenStream(path, expectedCount, file, view, (ushort*)(pointer + view.PointerOffset));
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _file?.Dispose();
    }
}
