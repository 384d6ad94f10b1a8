using System.CommandLine;
using System.Text.RegularExpressions;

namespace CodexSharp.Cli;

/// <summary>
/// The command line's parse errors as a user should read them: one error for an unknown command (not also
/// "Required command was not provided"), and a value of the wrong type named in words, not as a .NET type.
/// </summary>
internal static partial class ParseErrors
{
    public static IEnumerable<string> Messages(ParseResult parse)
    {
        var messages = parse.Errors.Select(e => Rephrase(e.Message)).Distinct().ToList();
        if (messages.Count > 1) messages.RemoveAll(m => m.StartsWith("Required command was not provided", StringComparison.Ordinal));
        return messages;
    }

    /// <summary>"Cannot parse argument 'abc' for option '--seed' as expected type 'System.Int64'." → "--seed: 'abc' is not a whole number."</summary>
    public static string Rephrase(string message)
    {
        var match = CannotParse().Match(message);
        if (!match.Success) return message;
        var (value, option, type) = (match.Groups["value"].Value, match.Groups["option"].Value, match.Groups["type"].Value);
        var expected = type switch
        {
            _ when type.Contains("Int64") || type.Contains("Int32") => "a whole number",
            _ when type.Contains("Double") || type.Contains("Single") => "a number",
            _ when type.Contains("Boolean") => "true or false",
            _ when type.Contains("FileInfo") || type.Contains("FileSystemInfo") => "a file path",
            _ when type.Contains("DirectoryInfo") => "a folder path",
            _ => "a value of another form",
        };
        return value.Length == 0 ? $"{option}: an empty value; expected {expected}." : $"{option}: '{value}' is not {expected}.";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (option|argument) '(?<option>[^']*)' as expected type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex CannotParse();
}
