namespace CodexSharp.Reporting.Chains;

/// <summary>
/// One building block of a synthetic docstring chain: a deterministic change to a string, said in one line of
/// docstring, done by one line of Python, and done here in C# to compute the tests' expected outputs (so that the
/// self-check of the generated problems checks the Python against an independent implementation).
/// </summary>
public sealed record StringBlock(string Name, string Docstring, string Python, Func<string, string> Apply);

/// <summary>
/// The paper's 13 building blocks (Chen et al. 2021, §6 and App. C), in its order. Inputs are ASCII, so Python's
/// <c>lower</c>, <c>upper</c> and <c>split</c> agree with the invariant C# operations used here.
/// </summary>
public static class StringBlocks
{
    private const string Vowels = "aeiouAEIOU";

    public static IReadOnlyList<StringBlock> All { get; } =
    [
        new("remove_e", "remove every occurrence of the letter 'e'",
            "s = s.replace('e', '')", s => s.Replace("e", "", StringComparison.Ordinal)),
        new("spaces_to_bangs", "replace every space with an exclamation mark",
            "s = s.replace(' ', '!')", s => s.Replace(' ', '!')),
        new("lowercase", "convert the string to lowercase",
            "s = s.lower()", s => s.ToLowerInvariant()),
        new("trim_two", "drop the first two and the last two characters",
            "s = s[2:-2]", s => s.Length <= 4 ? "" : s[2..^2]),
        new("remove_vowels", "remove all vowels (a, e, i, o, u, in either case)",
            "s = ''.join(c for c in s if c not in 'aeiouAEIOU')", s => new string(s.Where(c => !Vowels.Contains(c)).ToArray())),
        new("drop_every_third", "remove every character whose position (counting from 0) is a multiple of 3",
            "s = ''.join(c for i, c in enumerate(s) if i % 3 != 0)", s => new string(s.Where((_, i) => i % 3 != 0).ToArray())),
        new("first_half", "keep only the first half of the characters (rounding the half down)",
            "s = s[:len(s) // 2]", s => s[..(s.Length / 2)]),
        new("triple_spaces", "replace every space with three spaces",
            "s = s.replace(' ', '   ')", s => s.Replace(" ", "   ", StringComparison.Ordinal)),
        new("reverse_words", "reverse the order of the words (words are separated by whitespace; join them with single spaces)",
            "s = ' '.join(s.split()[::-1])", s => string.Join(' ', Words(s).Reverse())),
        new("drop_first_half_words", "drop the first half of the words (rounding the half down) and join the rest with single spaces",
            "words = s.split(); s = ' '.join(words[len(words) // 2:])", s => { var w = Words(s); return string.Join(' ', w[(w.Length / 2)..]); }),
        new("add_apples", "add the word 'apples' after every word, and join the words with single spaces",
            "s = ' '.join(w + ' apples' for w in s.split())", s => string.Join(' ', Words(s).Select(w => w + " apples"))),
        new("upper_even", "make every character at an even position (counting from 0) uppercase",
            "s = ''.join(c.upper() if i % 2 == 0 else c for i, c in enumerate(s))", s => new string(s.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c).ToArray())),
        new("remove_punctuation", "remove every '!', '?' and '.'",
            "s = ''.join(c for c in s if c not in '!?.')", s => new string(s.Where(c => c is not ('!' or '?' or '.')).ToArray())),
    ];

    /// <summary>Python's <c>str.split()</c> on ASCII text: runs of whitespace separate, none are empty.</summary>
    private static string[] Words(string s) => s.Split([' ', '\t', '\n', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries);
}
