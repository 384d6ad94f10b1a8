using CodexSharp.Generation.Chat;
using CodexSharp.Generation.Tests.Fixtures;

namespace CodexSharp.Generation.Tests;

/// <summary>Realistic chat replies: each extracted completion must make prompt + completion pass the task's tests in Python.</summary>
public sealed class FunctionBodyExtractorTests
{
    private const string Fence = "```";

    public static TheoryData<string, string> Replies => new()
    {
        {
            "Tiny/0", $"Sure! Here is the completed function:\n\n{Fence}python\ndef add(a: int, b: int) -> int:\n    \"\"\"Return the sum of a and b.\n    >>> add(2, 3)\n    5\n    \"\"\"\n    return a + b\n{Fence}\n\nThe function simply returns the sum of its two arguments."
        },
        {
            "Tiny/0", "Here's the implementation:\n\ndef add(a: int, b: int) -> int:\n    return a + b\n\nThis works for negative numbers too."
        },
        { "Tiny/0", $"{Fence}python\n    return a + b\n{Fence}" },
        { "Tiny/0", "return a + b" },
        { "Tiny/0", $"{Fence}python\ndef add(a, b): return a + b\n{Fence}" },
        {
            "Tiny/1", $"I'll use a helper to test evenness.\n\n{Fence}python\nfrom typing import List\n\n\ndef evens(xs: List[int]) -> List[int]:\n    return [x for x in xs if is_even(x)]\n\n\ndef is_even(x: int) -> bool:\n    return x % 2 == 0\n\n\nif __name__ == \"__main__\":\n    print(evens([1, 2, 3, 4]))\n{Fence}\n"
        },
        {
            "Tiny/1", $"{Fence}python\nimport itertools\nMODULUS = 2\n\ndef _keep(x):\n    return x % MODULUS == 0\n\ndef evens(xs):\n    return list(itertools.filterfalse(lambda x: not _keep(x), xs))\n\n# Example usage\nresult = evens([1, 2, 3, 4])\nprint(result)\nassert result == [2, 4]\n{Fence}"
        },
        {
            "Tiny/1", $"Solution:\n{Fence}python\ndef evens(xs):\n    return [x for x in xs if x % 2 == 0]\n{Fence}\nExample:\n{Fence}python\nprint(evens([1, 2, 3, 4]))  # [2, 4]\n{Fence}\n{Fence}output\n[2, 4]\n{Fence}"
        },
        {
            "Tiny/1", $"A first attempt:\n{Fence}python\ndef evens(xs):\n    return xs\n{Fence}\nThat is wrong; the correct version filters:\n{Fence}python\ndef evens(xs):\n    out = []\n    for x in xs:\n        if x % 2 == 0:\n            out.append(x)\n    return out\n{Fence}"
        },
        { "Tiny/1", $"{Fence}python\ndef evens(xs):\n  result = []\n  for x in xs:\n    if x % 2 == 0:\n      result.append(x)\n  return result\n{Fence}" },
        { "Tiny/2", $"{Fence}py\ndef shout(s):\n    text = s.upper()\n    return text + \"!\"\n" },
        {
            "Tiny/2", $"{Fence}python\ndef shout(s: str) -> str:\n    mark = \"\"\"\n!\"\"\"\n    return s.upper() + mark.strip()\n{Fence}"
        },
        {
            "Tiny/2", $"{Fence}python\ndef shout(\n    s: str,\n) -> str:\n    '''Upper-case and exclaim.'''\n    return (\n        s.upper()\n        + \"!\"\n    )\n{Fence}"
        },
        { "Tiny/2", $"{Fence}python\ndef shout(s):\n# upper-case first\n    loud = s.upper()\n\n# then exclaim\n    return loud + '!'\n{Fence}" },
        { "Tiny/2", $"```\ndef shout(s):\n    return f\"{{s.upper()}}!\"\n```" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void Extracted_completion_makes_a_passing_program(string taskId, string reply)
    {
        var problems = TinyProblems.Load();
        Assert.True(problems.TryGet(taskId, out var problem));
        var completion = FunctionBodyExtractor.Extract(problem.Prompt, reply);
        var (exit, stderr) = TinyProblems.RunPython(problem.ProgramFor(completion));
        Assert.True(exit == 0, $"completion:\n{completion}\nerror:\n{stderr}");
    }

    [Fact]
    public void A_wrong_answer_makes_a_failing_program()
    {
        Assert.True(TinyProblems.Load().TryGet("Tiny/0", out var problem));
        var completion = FunctionBodyExtractor.Extract(problem.Prompt, $"{Fence}python\ndef add(a, b):\n    return a - b\n{Fence}");
        Assert.Equal("    return a - b\n", completion);
        Assert.NotEqual(0, TinyProblems.RunPython(problem.ProgramFor(completion)).ExitCode);
    }

    [Fact]
    public void Examples_prints_and_asserts_are_dropped_but_helpers_move_inside()
    {
        var prompt = "def evens(xs):\n    \"\"\"Evens.\"\"\"\n";
        var reply = $"{Fence}python\ndef evens(xs):\n    return [x for x in xs if even(x)]\n\ndef even(x):\n    return x % 2 == 0\n\nprint(evens([1, 2]))\nassert evens([2]) == [2]\n{Fence}";
        var completion = FunctionBodyExtractor.Extract(prompt, reply);
        Assert.Equal("    def even(x):\n        return x % 2 == 0\n    return [x for x in xs if even(x)]\n", completion);
    }

    [Fact]
    public void Reply_without_code_gives_an_empty_completion()
    {
        Assert.Equal("", FunctionBodyExtractor.Extract("def f():\n", "I'm sorry, I can't help with that."));
    }

    [Fact]
    public void Target_is_the_last_function_of_the_prompt_and_indentation_follows_it()
    {
        var prompt = "def helper(x):\n    return x\n\n\nclass Box:\n    def size(self):\n        \"\"\"Size.\"\"\"\n";
        var (name, indent) = FunctionBodyExtractor.TargetFunction(prompt);
        Assert.Equal("size", name);
        Assert.Equal("        ", indent);
    }

    [Theory]
    [InlineData("Here is the code:", true)]
    [InlineData("This function returns the sum.", true)]
    [InlineData("Note: it handles empty lists.", true)]
    [InlineData("- a bullet point", true)]
    [InlineData("return a + b", false)]
    [InlineData("result = []", false)]
    [InlineData("print(x)", false)]
    [InlineData("x", false)]
    [InlineData("    indented text is left alone", false)]
    [InlineData("for x in xs:", false)]
    public void Prose_lines_are_told_from_code(string line, bool prose)
    {
        Assert.Equal(prose, ReplyCode.IsProse(line));
    }
}
