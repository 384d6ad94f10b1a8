using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace CodexSharp.Core.Io;

/// <summary>
/// Walks a gzip file member by member (RFC 1952) and proves each one whole: its header complete, its deflate
/// data reaching the end-of-data marker, its trailer present with the right CRC-32 and length. Used when the
/// quick check of <see cref="GzipReadStream"/> fails, to tell several concatenated members from a cut file.
/// </summary>
internal static class GzipMembers
{
    private const byte FlagHeaderCrc = 2, FlagExtra = 4, FlagName = 8, FlagComment = 16;

    /// <exception cref="InvalidDataException">The file is cut short or damaged; the message says where.</exception>
    public static void Verify(Stream stream)
    {
        Span<byte> header = stackalloc byte[10];
        Span<byte> trailer = stackalloc byte[8];
        var buffer = new byte[1 << 16];
        for (var member = 1; ; member++)
        {
            var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read == 0 && member > 1) return;
            if (read < header.Length) throw Cut(member, "inside its header");
            if (header[0] != 0x1f || header[1] != 0x8b || header[2] != 8) throw new InvalidDataException($"gzip member {member} has no valid header");
            var flags = header[3];
            if ((flags & FlagExtra) != 0) Skip(stream, ReadUInt16(stream, member), member);
            if ((flags & FlagName) != 0) SkipZeroTerminated(stream, member);
            if ((flags & FlagComment) != 0) SkipZeroTerminated(stream, member);
            if ((flags & FlagHeaderCrc) != 0) Skip(stream, 2, member);

            var source = new OneByteAtATime(stream);
            var crc = new Crc32();
            long length = 0;
            using (var inflate = new DeflateStream(source, CompressionMode.Decompress, leaveOpen: true))
            {
                int n;
                while ((n = inflate.Read(buffer)) > 0)
                {
                    crc.Append(buffer.AsSpan(0, n));
                    length += n;
                }
            }
            if (source.ReachedEnd) throw Cut(member, "in the middle of its compressed data");

            if (stream.ReadAtLeast(trailer, trailer.Length, throwOnEndOfStream: false) < trailer.Length)
                throw Cut(member, "before its 8-byte trailer (CRC-32 and length)");
            if (BinaryPrimitives.ReadUInt32LittleEndian(trailer) != crc.GetCurrentHashAsUInt32() || BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) != (uint)length)
                throw new InvalidDataException($"gzip member {member}: its CRC-32 or length does not match its data");
        }
    }

    private static InvalidDataException Cut(int member, string where) =>
        new($"the file is cut short: it ends {where} (gzip member {member}); was a download or copy interrupted?");

    private static int ReadUInt16(Stream stream, int member)
    {
        Span<byte> two = stackalloc byte[2];
        if (stream.ReadAtLeast(two, 2, throwOnEndOfStream: false) < 2) throw Cut(member, "inside its header");
        return BinaryPrimitives.ReadUInt16LittleEndian(two);
    }

    private static void Skip(Stream stream, int count, int member)
    {
        for (var i = 0; i < count; i++)
        {
            if (stream.ReadByte() < 0) throw Cut(member, "inside its header");
        }
    }

    private static void SkipZeroTerminated(Stream stream, int member)
    {
        int b;
        while ((b = stream.ReadByte()) != 0)
        {
            if (b < 0) throw Cut(member, "inside its header");
        }
    }

    /// <summary>
    /// Hands the inflater one byte per read, so it never takes bytes past the end of its member's data (the
    /// trailer and the next member stay in the file), and records whether the file ran out first.
    /// </summary>
    private sealed class OneByteAtATime(Stream inner) : ReadOnlyStream
    {
        public bool ReachedEnd { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.Length == 0) return 0;
            var b = inner.ReadByte();
            if (b < 0)
            {
                ReachedEnd = true;
                return 0;
            }
            buffer[0] = (byte)b;
            return 1;
        }
    }
}
