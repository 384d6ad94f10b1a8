using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>Every status, with the exact result text openai/human-eval writes for the same program.</summary>
[Collection(SandboxCollection.Name)]
public sealed class VerdictTests(SandboxFixture sandbox)
{
    private const string Check = "\ndef check(candidate):\n    assert candidate(2, 3) == 5\n\ncheck(add)\n";

    [Theory]
    [InlineData("def add(a, b):\n    return a + b\n" + Check, "passed")]
    [InlineData("def add(a, b):\n    return a - b\n" + Check, "failed: ")]
    [InlineData("def add(a, b):\n    return x\n" + Check, "failed: name 'x' is not defined")]
    [InlineData("def add(a, b):\n    return a / 0\n" + Check, "failed: division by zero")]
    [InlineData("def add(a, b):\n    return {}['k']\n" + Check, "failed: 'k'")]
    [InlineData("def add(a, b):\n    raise ValueError('bad input', 3)\n" + Check, "failed: ('bad input', 3)")]
    [InlineData("def add(a, b)\n    return a + b\n" + Check, "failed: expected ':' (<string>, line 1)")]
    [InlineData("def add(a, b):\nreturn a + b\n" + Check, "failed: expected an indented block after function definition on line 1 (<string>, line 2)")]
    [InlineData("def add(a, b):\n    return input()\n" + Check, "failed: ")]
    [InlineData("def add(a, b):\n    exit(0)\n" + Check, "failed: 'NoneType' object is not callable")]
    [InlineData("import sys\nsys.exit(0)\n" + "def add(a, b):\n    return a + b\n" + Check, "failed: 0")]
    [InlineData("raise SystemExit\n", "failed: ")]
    [InlineData("import os\nos.getcwd()\n", "failed: 'NoneType' object is not callable")]
    [InlineData("import resource\n", "failed: import of resource halted; None in sys.modules")]
    [InlineData("from multiprocessing import Process\nfrom concurrent.futures import ThreadPoolExecutor\nimport tempfile, platform\n", "passed")]
    [InlineData("if __name__ == 'builtins':\n    raise RuntimeError('runs as exec(program, {}) does')\n", "failed: runs as exec(program, {}) does")]
    [InlineData("class A:\n    pass\nraise ValueError(A(), len)\n", "failed: (<A object at 0xADDR>, <built-in function len>)")]
    [InlineData("def f():\n    pass\nassert False, [f, f]\n", "failed: [<function f at 0xADDR>, <function f at 0xADDR>]")]
    public async Task Verdict_text_is_what_human_eval_writes(string program, string expected)
    {
        var result = await sandbox.RunAsync(program);
        Assert.Equal(expected, result.Result);
        Assert.Equal(expected == "passed" ? ExecutionStatus.Passed : ExecutionStatus.Failed, result.Status);
    }

    [Fact]
    public async Task A_program_that_runs_past_its_limit_times_out()
    {
        var result = await sandbox.RunAsync("while True:\n    pass\n", SandboxFixture.ShortTimeout);
        Assert.Equal(ExecutionStatus.TimedOut, result.Status);
        Assert.Equal("timed out", result.Result);
        Assert.True(result.Duration >= SandboxFixture.ShortTimeout);
    }

    [Fact]
    public async Task Printing_and_writing_files_in_the_private_directory_is_allowed()
    {
        var program = "print('hello')\nimport sys\nprint('err', file=sys.stderr)\n" +
                      "with open('scratch.txt', 'w') as f:\n    f.write('x')\nassert open('scratch.txt').read() == 'x'\n" +
                      "import tempfile\nassert open(tempfile.mkdtemp() + '/y', 'w').write('y') == 1\n";
        Assert.Equal("passed", (await sandbox.RunAsync(program)).Result);
    }

    [Fact]
    public async Task Each_program_starts_from_fresh_random_state_and_can_use_threads()
    {
        var program = "import random, threading\nvalues = []\nworker = threading.Thread(target=lambda: values.append(random.random()))\nworker.start()\nworker.join()\nassert False, values[0]\n";
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => sandbox.RunAsync(program)));
        Assert.All(results, result => Assert.StartsWith("failed: 0.", result.Result));
        Assert.Equal(results.Length, results.Select(result => result.Result).Distinct().Count());
    }

    [Fact]
    public async Task Many_programs_at_once_each_get_their_own_verdict()
    {
        var programs = Enumerable.Range(0, 40).Select(i => $"assert {i} % 3 != 0, 'multiple of three: {i}'").ToList();
        var results = await Task.WhenAll(programs.Select(program => sandbox.RunAsync(program)));
        for (var i = 0; i < programs.Count; i++)
        {
            Assert.Equal(i % 3 != 0 ? "passed" : $"failed: multiple of three: {i}", results[i].Result);
        }
    }
}
