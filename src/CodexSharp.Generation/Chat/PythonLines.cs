namespace CodexSharp.Generation.Chat;

/// <summary>
/// One line of Python source. <see cref="IsContinuation"/> marks a line that starts inside a bracket or a
/// triple-quoted string, whose indentation means nothing and must not be changed.
/// </summary>
public readonly record struct PythonLine(string Text, bool IsContinuation)
{
    public bool IsBlank => Text.Trim().Length == 0;

    /// <summary>A line holding only a comment: its indentation does not matter to Python.</summary>
    public bool IsComment => !IsContinuation && Text.TrimStart().StartsWith('#');

    /// <summary>A line whose indentation sets the block structure.</summary>
    public bool IsCode => !IsBlank && !IsContinuation && !IsComment;

    public int Indent
    {
        get
        {
            var n = 0;
            while (n < Text.Length && (Text[n] == ' ' || Text[n] == '\t')) n++;
            return n;
        }
    }

    /// <summary>A line that starts a new top-level statement: unindented, not blank, not inside a bracket or string.</summary>
    public bool IsTopLevelStart => !IsContinuation && !IsBlank && Indent == 0;
}

/// <summary>Splits Python source into lines, tracking brackets and strings well enough to find statement starts.</summary>
public static class PythonLines
{
    public static List<PythonLine> Split(string source)
    {
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var result = new List<PythonLine>(lines.Length);
        var depth = 0;
        string? openTriple = null;
        foreach (var line in lines)
        {
            result.Add(new PythonLine(line, depth > 0 || openTriple is not null));
            Scan(line, ref depth, ref openTriple);
        }
        return result;
    }

    /// <summary>Removes the indentation all non-continuation lines share, and re-indents them by <paramref name="indent"/>.</summary>
    public static IEnumerable<string> Reindent(IReadOnlyList<PythonLine> lines, string indent)
    {
        var common = CommonIndent(lines);
        foreach (var line in lines)
        {
            if (line.IsBlank) yield return "";
            else if (line.IsContinuation) yield return line.Text;
            else if (line.Indent < common) yield return indent + line.Text.TrimStart();
            else yield return indent + line.Text[common..];
        }
    }

    /// <summary>The indentation every code line shares (comments and continuations do not count).</summary>
    public static int CommonIndent(IReadOnlyList<PythonLine> lines)
    {
        var code = lines.Where(l => l.IsCode).ToList();
        return code.Count == 0 ? 0 : code.Min(l => l.Indent);
    }

    private static void Scan(string line, ref int depth, ref string? openTriple)
    {
        var i = 0;
        while (i < line.Length)
        {
            if (openTriple is not null)
            {
                var end = line.IndexOf(openTriple, i, StringComparison.Ordinal);
                if (end < 0) return;
                i = end + 3;
                openTriple = null;
                continue;
            }
            var c = line[i];
            if (c == '#') return;
            if (c is '"' or '\'')
            {
                if (i + 2 < line.Length && line[i + 1] == c && line[i + 2] == c)
                {
                    openTriple = new string(c, 3);
                    i += 3;
                    continue;
                }
                i = SkipShortString(line, i);
                continue;
            }
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
            i++;
        }
    }

    private static int SkipShortString(string line, int start)
    {
        var quote = line[start];
        var i = start + 1;
        while (i < line.Length)
        {
            if (line[i] == '\\') i += 2;
            else if (line[i] == quote) return i + 1;
            else i++;
        }
        return i;
    }
}
