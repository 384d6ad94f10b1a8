using System.Text;

namespace CodexSharp.Core.Io;

/// <summary>
/// Reads '\n'-terminated lines as bytes and decodes each one strictly, so that an invalid byte is reported
/// on the line it is on. A trailing '\r' is dropped, as <see cref="StreamReader.ReadLine"/> does, and so is a
/// byte-order mark at the start of the file.
/// </summary>
public sealed class Utf8LineReader(Stream stream) : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;
    private bool _first = true;

    /// <summary>The next line without its terminator, or null at the end of the stream.</summary>
    /// <exception cref="DecoderFallbackException">The line is not valid UTF-8.</exception>
    public string? ReadLine()
    {
        _line.SetLength(0);
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = stream.Read(_buffer, 0, _buffer.Length);
                if (_end == 0) return _line.Length == 0 ? null : Decode();
            }
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline < 0)
            {
                _line.Write(_buffer, _start, _end - _start);
                _start = _end;
                continue;
            }
            _line.Write(_buffer, _start, newline - _start);
            _start = newline + 1;
            return Decode();
        }
    }

    public void Dispose()
    {
        stream.Dispose();
        _line.Dispose();
    }

    private string Decode()
    {
        var bytes = _line.GetBuffer().AsSpan(0, (int)_line.Length);
        // A UTF-8 byte-order mark (as some Windows editors save) is not part of the first line's text.
        if (_first && bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        _first = false;
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        return StrictUtf8.GetString(bytes);
    }
}
