using System.Text;

namespace CodexSharp.Training.Corpus;

/// <summary>
/// Reads the members of a Unix <c>ar</c> archive, the container of a Debian package (<c>debian-binary</c>,
/// <c>control.tar.*</c>, <c>data.tar.*</c>): an 8-byte magic, then per member a 60-byte text header (name,
/// dates, mode, decimal size, "`\n") and the data, padded to an even offset.
/// </summary>
internal static class ArArchive
{
    private static ReadOnlySpan<byte> Magic => "!<arch>\n"u8;

    /// <summary>True when <paramref name="stream"/> starts with the ar magic (the position is restored).</summary>
    public static bool HasMagic(Stream stream)
    {
        Span<byte> head = stackalloc byte[8];
        var read = stream.ReadAtLeast(head, 8, throwOnEndOfStream: false);
        stream.Position -= read;
        return read == 8 && head.SequenceEqual(Magic);
    }

    /// <summary>
    /// Positions <paramref name="stream"/> (seekable, at the magic) at the first member whose name satisfies
    /// <paramref name="match"/>, and returns that name and its size; null when there is none.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not an ar archive or a header is damaged.</exception>
    public static (string Name, long Size)? Seek(Stream stream, Func<string, bool> match)
    {
        Span<byte> head = stackalloc byte[8];
        if (stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) != 8 || !head.SequenceEqual(Magic))
            throw new InvalidDataException("not an ar archive (no '!<arch>' magic)");
        var header = new byte[60];
        while (true)
        {
            var read = stream.ReadAtLeast(header, 60, throwOnEndOfStream: false);
            if (read == 0) return null;
            if (read != 60 || header[58] != (byte)'`' || header[59] != (byte)'\n')
                throw new InvalidDataException($"damaged ar member header at offset {stream.Position - read}");
            // GNU ar ends short names with '/'; Debian's tools write them without.
            var name = Encoding.ASCII.GetString(header, 0, 16).TrimEnd(' ').TrimEnd('/');
            var sizeText = Encoding.ASCII.GetString(header, 48, 10).Trim();
            if (!long.TryParse(sizeText, out var size) || size < 0)
                throw new InvalidDataException($"ar member '{name}' has a bad size '{sizeText}'");
            if (match(name)) return (name, size);
            stream.Seek(size + (size & 1), SeekOrigin.Current);
        }
    }
}
