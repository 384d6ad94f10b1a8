using System.Text;

namespace CodexSharp.Training.Corpus;

/// <summary>
/// The text duplicates and benchmark matches are compared in: every run of whitespace (spaces, tabs, line
/// ends) becomes one space, and the ends are trimmed. Indentation, CRLF and trailing blanks then do not matter.
/// </summary>
internal static class WhitespaceNormalizer
{
    public static string Normalize(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace) builder.Append(' ');
            pendingSpace = false;
            builder.Append(c);
        }
        return builder.ToString();
    }
}
