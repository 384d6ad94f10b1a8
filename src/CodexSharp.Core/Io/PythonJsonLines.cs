using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexSharp.Core.Io;

/// <summary>One row of a JSON Lines file as Python's json module writes it: the parsed object and the line as written.</summary>
public readonly record struct PythonJsonRow(long Line, JsonObject Object, string Text);

/// <summary>
/// JSON Lines as Python's json module writes them, plain or gzip: EvalPlus's MBPP+ has bare <c>NaN</c>,
/// <c>Infinity</c> and <c>-Infinity</c> in its test inputs, which are not JSON. Outside strings they are read as
/// null in <see cref="PythonJsonRow.Object"/>; <see cref="PythonJsonRow.Text"/> keeps the line as written, for a
/// reader (Python's) that understands them.
/// </summary>
public static class PythonJsonLines
{
    /// <summary>Streams the rows of <paramref name="path"/> in file order; blank lines are skipped.</summary>
    /// <exception cref="UserInputException">The file is missing, not UTF-8, damaged gzip, or a line is not a JSON object.</exception>
    public static IEnumerable<PythonJsonRow> Read(string path)
    {
        foreach (var (line, text) in JsonlFile.ReadLines(path))
        {
            yield return new PythonJsonRow(line, JsonlFile.ParseObject(path, line, LiteralsAsNull(text)), text);
        }
    }

    /// <summary>Replaces the bare words NaN, Infinity and -Infinity outside strings with null.</summary>
    public static string LiteralsAsNull(string json)
    {
        if (!json.Contains("NaN", StringComparison.Ordinal) && !json.Contains("Infinity", StringComparison.Ordinal)) return json;
        var builder = new StringBuilder(json.Length);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                builder.Append(c);
                if (c == '\\' && i + 1 < json.Length) builder.Append(json[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            var rest = json.AsSpan(i);
            var word = rest.StartsWith("NaN") ? 3 : rest.StartsWith("Infinity") ? 8 : rest.StartsWith("-Infinity") ? 9 : 0;
            if (word > 0)
            {
                builder.Append("null");
                i += word - 1;
                continue;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
