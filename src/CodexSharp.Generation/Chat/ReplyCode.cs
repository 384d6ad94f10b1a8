using System.Text.RegularExpressions;

namespace CodexSharp.Generation.Chat;

/// <summary>
/// Finds the code in a chat model's reply: the fenced blocks in Python (or untagged), in order; without
/// fences, the reply's lines minus the ones that read as prose.
/// </summary>
public static partial class ReplyCode
{
    private static readonly HashSet<string> PythonTags = new(StringComparer.OrdinalIgnoreCase) { "", "python", "python3", "py", "py3" };

    private static readonly HashSet<string> StatementKeywords =
    [
        "def", "class", "import", "from", "return", "if", "elif", "else", "for", "while", "try", "except", "finally",
        "with", "raise", "assert", "pass", "break", "continue", "yield", "global", "nonlocal", "del", "async", "await", "lambda", "match", "case",
    ];

    public static string Find(string reply)
    {
        var text = reply.Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = FencedBlocks(text);
        if (blocks.Count > 0)
        {
            var python = blocks.Where(b => PythonTags.Contains(b.Tag)).Select(b => b.Code).ToList();
            return string.Join("\n", python.Count > 0 ? python : blocks.Select(b => b.Code));
        }
        return string.Join("\n", text.Split('\n').Where(line => !IsProse(line)));
    }

    /// <summary>Fenced blocks in order; an unclosed last fence (a reply cut at max tokens) runs to the end.</summary>
    public static List<(string Tag, string Code)> FencedBlocks(string text)
    {
        var blocks = new List<(string, string)>();
        var lines = text.Split('\n');
        string? tag = null;
        var code = new List<string>();
        foreach (var line in lines)
        {
            var fence = Fence().Match(line);
            if (tag is null)
            {
                if (fence.Success) { tag = fence.Groups["tag"].Value; code.Clear(); }
            }
            else if (fence.Success && fence.Groups["tag"].Value.Length == 0)
            {
                blocks.Add((tag, string.Join("\n", code)));
                tag = null;
            }
            else
            {
                code.Add(line);
            }
        }
        if (tag is not null && code.Count > 0) blocks.Add((tag, string.Join("\n", code)));
        return blocks;
    }

    /// <summary>An unindented line that is a sentence rather than a Python statement.</summary>
    public static bool IsProse(string line)
    {
        if (line.Length == 0 || char.IsWhiteSpace(line[0])) return false;
        if (!char.IsLetter(line[0]) && line[0] != '_') return line[0] is '*' or '-' && line.Length > 1 && line[1] == ' ';
        var word = LeadingWord().Match(line).Value;
        if (StatementKeywords.Contains(word)) return false;
        var after = line[word.Length..].TrimStart();
        if (after.Length == 0) return !CodeIdentifier().IsMatch(word);
        if (CodeContinuation().IsMatch(after)) return false;
        return true;
    }

    [GeneratedRegex(@"^\s*(```|~~~)\s*(?<tag>[\w+#.-]*)[^\n`]*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex LeadingWord();

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*$")]
    private static partial Regex CodeIdentifier();

    // What may follow a leading name in a statement: assignment, call, index, attribute, comma (tuple unpacking), annotation.
    [GeneratedRegex(@"^(=|\+=|-=|\*=|/=|//=|%=|\|=|&=|\(|\[|\.|,|:\s*[\w\[\]., ]+\s*=)")]
    private static partial Regex CodeContinuation();
}
