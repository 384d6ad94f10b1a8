using System.Text;

namespace CodexSharp.Training.Corpus;

/// <summary>
/// The per-file filters of the Codex paper (§3.1), each a pure function of the file's bytes or text. They are
/// checked in the order of <see cref="DropReasons.All"/>; a file is counted under the first it fails.
/// </summary>
internal static class QualityFilters
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's text (a leading byte-order mark removed), or null when the bytes are not UTF-8.</summary>
    public static string? DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The reason <paramref name="text"/> fails a text filter (<c>generated</c>, <c>long_lines</c>, <c>low_alphanumeric</c>), or null.</summary>
    public static string? Check(string text, CorpusFilterSettings settings)
    {
        if (IsGenerated(text, settings)) return DropReasons.Generated;
        if (HasLongLines(text, settings)) return DropReasons.LongLines;
        if (AlphanumericFraction(text) < settings.MinAlphanumericFraction) return DropReasons.LowAlphanumeric;
        return null;
    }

    /// <summary>True when one of the first lines holds a marker such as "auto-generated" or "do not edit".</summary>
    public static bool IsGenerated(string text, CorpusFilterSettings settings)
    {
        var end = 0;
        for (var line = 0; line < settings.GeneratedHeaderLines && end < text.Length; line++)
        {
            var next = text.IndexOf('\n', end);
            end = next < 0 ? text.Length : next + 1;
        }
        var header = text.AsSpan(0, end);
        foreach (var marker in settings.GeneratedMarkers)
        {
            if (header.Contains(marker, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>True when the mean line length is over the limit or any line is over the per-line limit (characters, line ends excluded).</summary>
    public static bool HasLongLines(string text, CorpusFilterSettings settings)
    {
        if (text.Length == 0) return false;
        long lines = 0, characters = 0;
        var start = 0;
        while (start <= text.Length)
        {
            var next = text.IndexOf('\n', start);
            var end = next < 0 ? text.Length : next;
            var length = end - start;
            if (length > 0 && text[end - 1] == '\r') length--;
            if (next >= 0 || length > 0)
            {
                if (length > settings.MaxLineLength) return true;
                lines++;
                characters += length;
            }
            if (next < 0) break;
            start = next + 1;
        }
        return lines > 0 && (double)characters / lines > settings.MaxMeanLineLength;
    }

    /// <summary>Letters and digits over all characters; 0 for an empty text.</summary>
    public static double AlphanumericFraction(string text)
    {
        if (text.Length == 0) return 0;
        var alphanumeric = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) alphanumeric++;
        }
        return (double)alphanumeric / text.Length;
    }
}
