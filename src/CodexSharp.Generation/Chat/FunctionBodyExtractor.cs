using System.Text.RegularExpressions;

namespace CodexSharp.Generation.Chat;

/// <summary>
/// Turns a chat model's reply into a completion of the prompt: the body of the function the prompt
/// declares, indented as the prompt needs, so that <c>prompt + completion</c> is a valid program.
/// Handles fenced code, unfenced code with prose around it, the whole function repeated, a bare body, and
/// several functions: helpers, imports and constants the reply defines at top level move inside the body
/// (nested definitions behave the same there), and examples, prints and asserts are dropped.
/// </summary>
public static partial class FunctionBodyExtractor
{
    /// <summary>The completion for <paramref name="prompt"/> found in <paramref name="reply"/>; "" when the reply holds no code.</summary>
    public static string Extract(string prompt, string reply)
    {
        var code = ReplyCode.Find(reply);
        var lines = Dedent(PythonLines.Split(code));
        if (lines.All(l => l.IsBlank)) return "";
        var (name, indent) = TargetFunction(prompt);
        var units = TopLevelUnits(lines);
        var target = name is null ? -1 : units.FindLastIndex(u => DefinesFunction(u, name));

        var body = new List<string>();
        if (target < 0)
        {
            body.AddRange(PythonLines.Reindent(TrimBlank(lines), indent));
        }
        else
        {
            foreach (var unit in units.Where((u, i) => i != target && IsDefinition(u) && !(name is not null && DefinesFunction(u, name))))
                body.AddRange(PythonLines.Reindent(TrimBlank(unit), indent));
            body.AddRange(PythonLines.Reindent(TrimBlank(WithoutDocstring(FunctionBody(units[target]))), indent));
        }
        var joined = string.Join("\n", body).TrimEnd();
        if (joined.Length == 0) return "";
        return (prompt.Length == 0 || prompt.EndsWith('\n') ? "" : "\n") + joined + "\n";
    }

    /// <summary>The last function the prompt declares, and the indentation its body needs.</summary>
    public static (string? Name, string BodyIndent) TargetFunction(string prompt)
    {
        var matches = DefLine().Matches(prompt);
        if (matches.Count == 0) return (null, "    ");
        var last = matches[^1];
        return (last.Groups["name"].Value, last.Groups["indent"].Value + "    ");
    }

    private static List<PythonLine> Dedent(List<PythonLine> lines)
    {
        var common = PythonLines.CommonIndent(lines);
        return common == 0 ? lines : PythonLines.Split(string.Join("\n", PythonLines.Reindent(lines, "")));
    }

    /// <summary>Top-level statements with their indented lines; decorators and comments stay with what follows them.</summary>
    private static List<List<PythonLine>> TopLevelUnits(List<PythonLine> lines)
    {
        var units = new List<List<PythonLine>>();
        var current = new List<PythonLine>();
        var pendingPrefix = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.IsTopLevelStart && line.Text.StartsWith('#') && NextCodeIsIndented(lines, i))
            {
                current.Add(line);
                continue;
            }
            if (line.IsTopLevelStart && !pendingPrefix && current.Any(l => !l.IsBlank))
            {
                units.Add(current);
                current = [];
            }
            current.Add(line);
            if (line.IsTopLevelStart) pendingPrefix = line.Text.StartsWith('@') || line.Text.StartsWith('#');
        }
        if (current.Any(l => !l.IsBlank)) units.Add(current);
        return units;
    }

    /// <summary>An unindented comment inside a block (Python allows it) belongs to the block, not to what follows.</summary>
    private static bool NextCodeIsIndented(List<PythonLine> lines, int index)
    {
        for (var j = index + 1; j < lines.Count; j++)
        {
            if (lines[j].IsBlank || lines[j].Text.TrimStart().StartsWith('#')) continue;
            return lines[j].Indent > 0 && !lines[j].IsContinuation;
        }
        return false;
    }

    private static string Head(List<PythonLine> unit) =>
        unit.First(l => !l.IsBlank && !l.Text.StartsWith('@') && !l.Text.StartsWith('#')).Text;

    private static bool DefinesFunction(List<PythonLine> unit, string name) =>
        unit.Any(l => !l.IsBlank) && unit.Exists(l => l.IsTopLevelStart && !l.Text.StartsWith('@') && !l.Text.StartsWith('#'))
        && DefOf(Head(unit)) == name;

    /// <summary>Imports, functions, classes and ALL_CAPS constants: what a completion may need; examples and tests are not.</summary>
    private static bool IsDefinition(List<PythonLine> unit)
    {
        if (!unit.Exists(l => l.IsTopLevelStart && !l.Text.StartsWith('@') && !l.Text.StartsWith('#'))) return false;
        var head = Head(unit);
        return head.StartsWith("import ", StringComparison.Ordinal) || head.StartsWith("from ", StringComparison.Ordinal)
            || DefOf(head) is not null || head.StartsWith("class ", StringComparison.Ordinal) || Constant().IsMatch(head);
    }

    private static string? DefOf(string line)
    {
        var match = DefLine().Match(line);
        return match.Success && match.Groups["indent"].Value.Length == 0 ? match.Groups["name"].Value : null;
    }

    /// <summary>The lines after the signature (which may span lines); a one-line <c>def f(x): return x</c> gives its tail.</summary>
    private static List<PythonLine> FunctionBody(List<PythonLine> unit)
    {
        var start = unit.FindIndex(l => DefOf(l.Text) is not null && l.IsTopLevelStart);
        var end = start;
        while (end < unit.Count - 1 && unit[end + 1].IsContinuation) end++;
        var tail = SignatureTail(unit[end].Text);
        var body = unit.Skip(end + 1).ToList();
        if (tail.Length > 0) body.Insert(0, new PythonLine("    " + tail, false));
        return body;
    }

    private static string SignatureTail(string lastSignatureLine)
    {
        var depth = 0;
        for (var i = 0; i < lastSignatureLine.Length; i++)
        {
            var c = lastSignatureLine[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == ':' && depth <= 0)
            {
                var tail = lastSignatureLine[(i + 1)..].Trim();
                return tail.StartsWith('#') ? "" : tail;
            }
        }
        return "";
    }

    private static List<PythonLine> WithoutDocstring(List<PythonLine> body)
    {
        var first = body.FindIndex(l => !l.IsBlank);
        if (first < 0) return body;
        var text = body[first].Text.TrimStart();
        var prefix = text.Length > 0 && "rRuUbB".Contains(text[0]) ? 1 : 0;
        if (text.Length < prefix + 3) return body;
        var quote = text.Substring(prefix, 3);
        if (quote is not ("\"\"\"" or "'''")) return body;
        var last = first;
        if (text.IndexOf(quote, prefix + 3, StringComparison.Ordinal) < 0)
        {
            last = first + 1;
            while (last < body.Count && !body[last].Text.Contains(quote, StringComparison.Ordinal)) last++;
        }
        return body.Skip(last + 1).ToList();
    }

    private static List<PythonLine> TrimBlank(List<PythonLine> lines)
    {
        var start = lines.FindIndex(l => !l.IsBlank);
        if (start < 0) return [];
        var end = lines.FindLastIndex(l => !l.IsBlank);
        return lines.GetRange(start, end - start + 1);
    }

    [GeneratedRegex(@"^(?<indent>[ \t]*)(?:async[ \t]+)?def[ \t]+(?<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]*\(", RegexOptions.Multiline)]
    private static partial Regex DefLine();

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]*\s*(:[^=]+)?=")]
    private static partial Regex Constant();
}
