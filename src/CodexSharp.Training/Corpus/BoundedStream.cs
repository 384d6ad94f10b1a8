namespace CodexSharp.Training.Corpus;

/// <summary>
/// Reads at most <c>length</c> bytes of an inner stream from its current position (an ar member), and leaves
/// the inner stream open. Seeking is supported where the inner stream allows it, within the bounds.
/// </summary>
internal sealed class BoundedStream(Stream inner, long length) : Stream
{
    private readonly long _start = inner.CanSeek ? inner.Position : 0;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.CanSeek ? Math.Min(length, inner.Length - _start) : throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var left = length - _position;
        if (left <= 0) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        var read = inner.Read(buffer);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        inner.Position = _start + target;
        _position = target;
        return target;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
