using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace CodexSharp.Core.Io;

/// <summary>
/// Decompresses a gzip file and, at its end, proves that the file was whole. .NET's <see cref="GZipStream"/>
/// reports the end of a file cut short (mid-data, or missing only its 8-byte trailer) as a normal end, so a
/// reader would silently see fewer rows. This stream checks the trailer (CRC-32 and length of the data) and
/// throws <see cref="InvalidDataException"/> when it does not match.
/// </summary>
/// <remarks>
/// The fast check compares the whole output with the file's last 8 bytes, which holds for a file of one gzip
/// member. When it does not match, the file is walked member by member (<see cref="GzipMembers"/>), which also
/// accepts files of several concatenated members and finds where a truncated one ends.
/// </remarks>
internal sealed class GzipReadStream(string path, FileStream file) : ReadOnlyStream
{
    private readonly GZipStream _inner = new(file, CompressionMode.Decompress);
    private readonly Crc32 _crc = new();
    private long _length;
    private bool _checked;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        if (read > 0)
        {
            _crc.Append(buffer[..read]);
            _length += read;
        }
        else if (buffer.Length > 0 && !_checked)
        {
            _checked = true;
            CheckWhole();
        }
        return read;
    }

    private void CheckWhole()
    {
        using var again = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (again.Length >= 18)
        {
            Span<byte> trailer = stackalloc byte[8];
            again.Seek(-8, SeekOrigin.End);
            again.ReadExactly(trailer);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
            if (crc == _crc.GetCurrentHashAsUInt32() && size == (uint)_length) return;
        }
        again.Seek(0, SeekOrigin.Begin);
        GzipMembers.Verify(again);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
