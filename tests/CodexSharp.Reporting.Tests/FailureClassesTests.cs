using CodexSharp.Reporting.Analysis;

namespace CodexSharp.Reporting.Tests;

public sealed class FailureClassesTests
{
    private const string Test = "def check(candidate):\n    assert candidate(1) == 2, \"First test error: \" + str(candidate(1))\n    assert candidate(2) == 3, 'a'\n";

    [Theory]
    [InlineData(true, "passed", "passed")]
    [InlineData(false, "timed out", "timed out")]
    [InlineData(false, "timed out on test 2 of 3 (1 of 3 passed)", "timed out")]
    [InlineData(false, "failed: wrong answer on test 3 of 8 (5 of 8 passed)", "assertion")]
    [InlineData(false, "failed: runtime error on test 1 of 8: NameError: name 'k' is not defined (0 of 8 passed)", "name error")]
    [InlineData(false, "failed: compile error: SyntaxError: unmatched ')' (<string>, line 23)", "syntax error")]
    [InlineData(false, "failed: ", "assertion")]
    [InlineData(false, "failed: First test error: 7", "assertion")]
    [InlineData(false, "failed: a", "assertion")]
    [InlineData(false, "failed: invalid syntax (<string>, line 12)", "syntax error")]
    [InlineData(false, "failed: unterminated triple-quoted string literal (detected at line 40) (<string>, line 9)", "syntax error")]
    [InlineData(false, "failed: unindent does not match any outer indentation level (<string>, line 5)", "syntax error")]
    [InlineData(false, "failed: name 'math' is not defined", "name error")]
    [InlineData(false, "failed: cannot access local variable 'x' where it is not associated with a value", "name error")]
    [InlineData(false, "failed: unsupported operand type(s) for +: 'int' and 'str'", "type error")]
    [InlineData(false, "failed: 'NoneType' object is not subscriptable", "type error")]
    [InlineData(false, "failed: f() takes 1 positional argument but 2 were given", "type error")]
    [InlineData(false, "failed: list index out of range", "other exception")]
    [InlineData(false, "failed: No module named 'numpy'", "other exception")]
    [InlineData(false, "failed: b", "other exception")]
    [InlineData(false, "failed: the program was killed by SIGKILL before its tests finished", "killed")]
    public void Classifies_verdict_texts(bool passed, string result, string expected)
    {
        Assert.Equal(expected, FailureClasses.Classify(passed, result, FailureClasses.LiteralsOf(Test)));
    }
}
