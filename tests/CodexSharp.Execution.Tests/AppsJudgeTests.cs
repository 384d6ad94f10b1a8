using System.Text.Json.Nodes;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Problems;
using CodexSharp.Testing;
using Xunit.Abstractions;

namespace CodexSharp.Execution.Tests;

/// <summary>
/// APPS samples run in the real sandbox and are judged as APPS's testing_util judges them; CodeRL's programs get
/// the verdicts CodeRL recorded for them.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AppsJudgeTests(SandboxFixture sandbox, ITestOutputHelper output) : IDisposable
{
    /// <summary>APPS's testing_util: 4 s of wall clock per case, nothing else.</summary>
    private static readonly RunLimits AppsLimits = new(TimeSpan.FromSeconds(4));

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CodeRL_programs_get_the_verdicts_CodeRL_recorded()
    {
        var root = AppsFixtures.CopyCodeRlTrain(_dir.Path);
        var problems = AppsBenchmark.Instance.Load(root);
        var apart = await JudgeCodeRl(problems, new AppsJudge(sandbox.Runner));
        var inProcess = await JudgeCodeRl(problems, new AppsJudge(sandbox.Runner, inSampleProcess: true));

        output.WriteLine("Judged apart:");
        output.WriteLine("| problem | programs | CodeRL True/False/-1/-2 | ours True/False/-1/-2 | same verdict |");
        foreach (var task in apart.GroupBy(r => r.TaskId))
        {
            string Tally(Func<(string TaskId, int Index, string Verdict, string ErrorType, AppsOutcome Ours), string> of) =>
                string.Join("/", new[] { "True", "False", "-1", "-2" }.Select(v => task.Count(r => of(r) == v)));
            output.WriteLine($"| {task.Key} | {task.Count()} | {Tally(r => r.Verdict)} | {Tally(r => r.Ours.CodeRlVerdict)} | {task.Count(r => r.Verdict == r.Ours.CodeRlVerdict)} |");
        }
        foreach (var (mode, results) in new[] { ("apart", apart), ("in-process", inProcess) })
        {
            var differences = results.Where(r => r.Verdict != r.Ours.CodeRlVerdict)
                .Select(r => $"{mode} {r.TaskId} #{r.Index}: CodeRL {r.Verdict} ({r.ErrorType}), ours {r.Ours.CodeRlVerdict} ({r.Ours.Cases}: {r.Ours.ToExecutionResult().Result})").ToList();
            Assert.Equal(83, results.Length);
            Assert.True(differences.Count == 0, string.Join("\n", differences));
            Assert.Equal(35, results.Count(r => r.Ours.ToExecutionResult().Passed));
        }
        // Judged apart or in the sample's process, each program gets the same letters and the same verdict text.
        var modesDiffer = apart.Zip(inProcess)
            .Where(p => p.First.Ours.Cases != p.Second.Ours.Cases || p.First.Ours.ToExecutionResult().Result != p.Second.Ours.ToExecutionResult().Result)
            .Select(p => $"{p.First.TaskId} #{p.First.Index}: apart {p.First.Ours.Cases} {p.First.Ours.ToExecutionResult().Result}; in-process {p.Second.Ours.Cases} {p.Second.Ours.ToExecutionResult().Result}").ToList();
        Assert.True(modesDiffer.Count == 0, string.Join("\n", modesDiffer));
    }

    private static async Task<(string TaskId, int Index, string Verdict, string ErrorType, AppsOutcome Ours)[]> JudgeCodeRl(ProblemSet problems, AppsJudge judge) =>
        await Task.WhenAll(problems.Problems.SelectMany(problem => AppsFixtures.CodeRlPrograms(problem.Row["problem_dir"]!.GetValue<string>())
            .Select(async (program, i) => (problem.TaskId, Index: i, program.Verdict, program.ErrorType,
                Ours: await judge.RunAsync(problem, program.Code, AppsLimits, CancellationToken.None)))));

    [Fact]
    public async Task CodeRL_test_problem_0_compile_errors_agree_and_no_wrong_program_passes_the_statement_examples()
    {
        // APPS test problem 0's full tests are not in the shared data: its statement's two examples stand in.
        var codes = JsonNode.Parse(File.ReadAllText(Path.Combine(AppsFixtures.CodeRlTestOutputs, "codes_0.json")))!["0"]!;
        var verdicts = JsonNode.Parse(File.ReadAllText(Path.Combine(AppsFixtures.CodeRlTestOutputs, "test_results_0.json")))!["0"]!["results"]!.AsArray();
        var question = codes["prompt"]!.GetValue<string>().Split("QUESTION:\n", 2)[1].Split("\nUse Standard Input format", 2)[0];
        AppsFixtures.WriteStdinProblem(_dir.Path, "0000", question, ("|[a:b:|]\n", "4\n"), ("|]:[|:]\n", "-1\n"));
        var problem = AppsBenchmark.Instance.Load(_dir.Path).Problems.Single();
        Assert.Equal(codes["prompt"]!.GetValue<string>(), problem.Prompt);
        var judge = new AppsJudge(sandbox.Runner);
        var ours = await Task.WhenAll(codes["code"]!.AsArray().Select(c => judge.RunAsync(problem, c!.GetValue<string>(), AppsLimits, CancellationToken.None)));
        for (var i = 0; i < ours.Length; i++)
        {
            var theirs = verdicts[i]![0]!.ToJsonString();
            output.WriteLine($"#{i}: CodeRL {theirs}, ours on the examples {ours[i].CodeRlVerdict} ({ours[i].Cases})");
            if (theirs == "-2") Assert.Equal("-2", ours[i].CodeRlVerdict);
            else Assert.False(ours[i].Passed, $"#{i}: CodeRL's wrong answer passes both examples here");
        }
        Assert.Equal(2, ours.Count(o => o.CodeRlVerdict == "-2"));
    }

    [Theory]
    [InlineData("print('1 2')\nprint(3)", "P")]                        // exact
    [InlineData("print('  1 2 ')\nprint(' 3 ')\nprint()\nprint()", "P")] // surrounding and per-line spaces
    [InlineData("print('1 2')\nprint()\nprint(3)", "P")]              // blank lines in the output
    [InlineData("print('2 1')\nprint(3)", "P")]                       // testing_util: lines are compared as sets of words
    [InlineData("print(3)\nprint('1 2')", "P")]                       // ... and the output as a set of lines
    [InlineData("print('1 2')\nprint(4)", "W")]
    [InlineData("print('1 2 3')", "W")]
    [InlineData("print('1.0000001 2')\nprint(3)", "P")]               // numbers rounded to 3 decimals in the set comparison
    [InlineData("import sys\nsys.stdout.write('1 2\\n3\\n')\nexit()\nprint('more')", "P")] // exit() ends the case, output kept
    [InlineData("a, b = map(int, input().split())\nc = int(input())\nprint(a, b)\nprint(c)", "P")]
    [InlineData("import sys\ndata = sys.stdin.read().split()\nprint(data[0], data[1])\nprint(data[2])", "P")]
    [InlineData("import sys\nfor line in sys.stdin.readlines():\n    print(line)", "P")]
    [InlineData("print(open(0).read())", "P")]                        // open() of anything reads the case's input
    [InlineData("def main():\n    print('1 2')\n    print(3)\nif __name__ == '__main__':\n    main()", "W")] // APPS loads the program as module tmp_sol
    [InlineData("import sys\nprint(sys.stdin.buffer.read())", "E")]   // the patched stdin has no buffer, as in APPS
    [InlineData("print(undefined_name)", "E")]
    [InlineData("print('1 2'\n", "C")]
    public async Task Standard_input_programs_are_judged_as_testing_util_judges_them(string program, string expected)
    {
        AppsFixtures.WriteStdinProblem(_dir.Path, "echo", "Print the input.", ("1 2\n3\n", "1 2\n3\n"));
        var outcome = await JudgeOnly(program);
        Assert.True(expected == (outcome.CompileError is null ? outcome.Cases : "C"), $"{outcome.Cases} {outcome.CompileError} {outcome.Message}");
    }

    [Theory]
    [InlineData("print(1/3)", "P")]        // numpy.allclose on one number per line
    [InlineData("print('%.6f' % (1/3))", "P")]
    [InlineData("print(0.3334)", "P")]      // testing_util's last resort: numbers rounded to 3 decimals
    [InlineData("print(0.3344)", "W")]
    public async Task Numbers_are_compared_with_allclose(string program, string expected)
    {
        AppsFixtures.WriteStdinProblem(_dir.Path, "third", "Print one third.", ("\n", "0.33333333\n"));
        Assert.Equal(expected, (await JudgeOnly(program)).Cases);
    }

    [Theory]
    [InlineData("class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b", "PP")]
    [InlineData("def add(a, b):\n    return a + b", "PP")]
    [InlineData("def add(a, b):\n    return (a + b,)", "PW")]   // a tuple counts as a list: (3,) equals [3], (5,) is not 5
    [InlineData("def add(a, b):\n    return a - b", "WW")]
    [InlineData("def add(a, b):\n    return 1 // (a - 1)", "EW")]
    [InlineData("def plus(a, b):\n    return a + b", "C")]       // no function of that name
    [InlineData("x = undefined\ndef add(a, b):\n    return a + b", "C")]
    [InlineData("import numpy as np\ndef add(a, b):\n    return np.int64(a + b)", "PP")]
    [InlineData("import numpy as np\ndef add(a, b):\n    return np.array([a + b])", "PP")]     // [True] is true
    [InlineData("import numpy as np\ndef add(a, b):\n    return np.array([a + b, 0])", "EE")]  // [True, False] has no truth value
    [InlineData("from fractions import Fraction\ndef add(a, b):\n    return Fraction(a + b)", "PP")] // a Fraction equals its number
    public async Task Call_based_programs_call_the_function_or_Solution_method(string program, string expected)
    {
        AppsFixtures.WriteProblem(_dir.Path, "add", "Add two numbers.", new JsonArray(new JsonArray(1, 2), new JsonArray(2, 3)), new JsonArray(new JsonArray(3), 5), fnName: "add");
        var outcome = await JudgeOnly(program);
        Assert.True(expected == (outcome.CompileError is null ? outcome.Cases : "C"), $"{outcome.Cases} {outcome.CompileError} {outcome.Message}");
    }

    [Fact]
    public async Task A_case_that_runs_out_of_time_stops_the_sample_and_is_timed_out_unless_another_failed()
    {
        AppsFixtures.WriteStdinProblem(_dir.Path, "loop", "Echo.", ("1\n", "1\n"), ("2\n", "2\n"), ("3\n", "3\n"));
        var problem = AppsBenchmark.Instance.Load(_dir.Path).Problems.Single();
        var judge = new AppsJudge(sandbox.Runner);
        var limits = new RunLimits(TimeSpan.FromSeconds(0.5));
        // The program swallows the first interruption; the timer fires again and the case still ends.
        var looping = "n = int(input())\nwhile n == 2:\n    try:\n        pass\n    except BaseException:\n        pass\nprint(n)";
        var timedOut = await judge.RunAsync(problem, looping, limits, CancellationToken.None);
        Assert.Equal("PT-", timedOut.Cases);
        Assert.Equal(ExecutionStatus.TimedOut, timedOut.ToExecutionResult().Status);
        Assert.Equal("timed out on test 2 of 3 (1 of 3 passed)", timedOut.ToExecutionResult().Result);

        var wrongThenLoop = "n = int(input())\nwhile n == 2:\n    pass\nprint(n + 1)";
        var failed = await judge.RunAsync(problem, wrongThenLoop, limits, CancellationToken.None);
        Assert.Equal("WT-", failed.Cases);
        Assert.Equal(ExecutionStatus.Failed, failed.ToExecutionResult().Status);
        Assert.Equal("-1", failed.CodeRlVerdict);
    }

    [Fact]
    public async Task Public_tests_are_the_cases_shown_in_the_statement_and_run_first()
    {
        var question = "Double a number.\n\n-----Example-----\nInput\n21\n\nOutput\n42\n";
        AppsFixtures.WriteStdinProblem(_dir.Path, "double", question, ("5\n", "10\n"), ("21\n", "42\n"), ("0\n", "0\n"));
        var problem = AppsBenchmark.Instance.Load(_dir.Path).Problems.Single();
        Assert.Equal([1], problem.Row["public_tests"]!.AsArray().Select(i => i!.GetValue<int>()));
        var judge = new AppsJudge(sandbox.Runner);

        var onlyTheExample = await judge.JudgeAsync(problem, "print(42)", AppsLimits, CancellationToken.None);
        Assert.True(onlyTheExample.Flag(AppsBenchmark.PublicPassedFlag));
        Assert.False(onlyTheExample.Result.Passed);
        Assert.Equal("failed: wrong answer on test 1 of 3 (1 of 3 passed)", onlyTheExample.Result.Result);

        var right = await judge.JudgeAsync(problem, "print(2 * int(input()))", AppsLimits, CancellationToken.None);
        Assert.True(right.Result.Passed);
        Assert.True(right.Flag(AppsBenchmark.PublicPassedFlag));
    }

    /// <summary>
    /// Samples that forge a pass when the tests share their process: judged apart they fail, since the program's
    /// process runs cases and nothing else. The in-process verdict is what APPS's own way gives them (and why apart
    /// is the default).
    /// </summary>
    [Theory]
    // A result whose __eq__ always answers True: it crosses as a plain list.
    [InlineData("always equal", true, "class A(list):\n    __eq__ = lambda s, o: True\n    __ne__ = lambda s, o: False\ndef add(a, b):\n    return A()", true)]
    // The comparison replaced, wherever the program can reach a module's names: the judge's are in another process.
    [InlineData("patches the comparison", false, """
        import gc, sys
        def yes(*args, **kwargs):
            return True
        spaces = [vars(sys.modules['__main__'])] + [o for o in gc.get_objects() if type(o) is dict]
        frame = sys._getframe()
        while frame is not None:
            spaces.append(frame.f_globals)
            frame = frame.f_back
        for space in spaces:
            if 'same_output' in space:
                space['same_output'] = space['same_result'] = yes
        print('wrong')
        """, true)]
    // The expected output read off the judge's stack: the program's process never has it.
    [InlineData("reads the expected output", false, """
        import sys
        frame, found = sys._getframe(), None
        while frame is not None and not isinstance(found, str):
            found = frame.f_locals.get('expected')
            frame = frame.f_back
        print(found or '')
        """, true)]
    // The expected output's length read off the output's cap, which judged apart is the same for every case.
    [InlineData("reads the expected length", false, "import sys\nprint('x' * (sys.stdout.room - (16 << 20) - 1))", true)]
    [InlineData("prints a verdict", false, """
        import sys
        verdict = 'APPS-VERDICT {"cases": "P", "compile": null, "first": -1, "message": ""}'
        print(verdict)
        print(verdict, file=sys.stderr)
        raise BaseException(verdict)
        """, false)]
    [InlineData("ends its process", false, "import os\nos._exit(0)", false)]
    public async Task A_sample_that_forges_a_pass_in_its_own_process_fails_judged_apart(string attack, bool callBased, string program, bool passesInProcess)
    {
        if (callBased) AppsFixtures.WriteProblem(_dir.Path, "add", "Add two numbers.", new JsonArray(new JsonArray(1, 2), new JsonArray(2, 3)), new JsonArray(new JsonArray(3), 5), fnName: "add");
        else AppsFixtures.WriteStdinProblem(_dir.Path, "xs", "Print n x's.", ("7\n", "xxxxxxx\n"));
        var problem = AppsBenchmark.Instance.Load(_dir.Path).Problems.Single();
        var apart = await new AppsJudge(sandbox.Runner).RunAsync(problem, program, AppsLimits, CancellationToken.None);
        var inProcess = await new AppsJudge(sandbox.Runner, inSampleProcess: true).RunAsync(problem, program, AppsLimits, CancellationToken.None);
        output.WriteLine($"{attack}: apart {apart.Cases} {apart.ToExecutionResult().Result}; in-process {inProcess.Cases} {inProcess.ToExecutionResult().Result}");
        Assert.Equal(ExecutionStatus.Failed, apart.ToExecutionResult().Status);
        Assert.Equal(passesInProcess, inProcess.Passed);
    }

    [Fact]
    public async Task The_attacks_standard_input_problem_is_passed_by_an_honest_program()
    {
        AppsFixtures.WriteStdinProblem(_dir.Path, "xs", "Print n x's.", ("7\n", "xxxxxxx\n"));
        Assert.Equal("P", (await JudgeOnly("print('x' * int(input()))")).Cases);
    }

    [Fact]
    public async Task A_sample_that_ignores_its_timer_is_timed_out_soon_after_the_case_limit()
    {
        AppsFixtures.WriteStdinProblem(_dir.Path, "loop", "Echo.", ("1\n", "1\n"), ("2\n", "2\n"), ("3\n", "3\n"));
        var problem = AppsBenchmark.Instance.Load(_dir.Path).Problems.Single();
        var limits = new RunLimits(TimeSpan.FromSeconds(1));
        var program = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass";
        var apart = await new AppsJudge(sandbox.Runner).RunAsync(problem, program, limits, CancellationToken.None);
        output.WriteLine($"apart: {apart.Cases} {apart.ToExecutionResult().Result} after {apart.Run.Duration.TotalSeconds:F1} s");
        Assert.Equal("T--", apart.Cases);
        Assert.Equal("timed out on test 1 of 3 (0 of 3 passed)", apart.ToExecutionResult().Result);
        Assert.True(apart.Run.Duration < TimeSpan.FromSeconds(4), $"{apart.Run.Duration}"); // 1 s, then 1 s the judge waits beyond it
        // In the sample's process nothing interrupts it: the whole run's limit (3 cases' limits + 3 s) ends it, without a verdict.
        var inProcess = await new AppsJudge(sandbox.Runner, inSampleProcess: true).RunAsync(problem, program, limits, CancellationToken.None);
        output.WriteLine($"in-process: {inProcess.Cases} {inProcess.ToExecutionResult().Result} after {inProcess.Run.Duration.TotalSeconds:F1} s");
        Assert.Equal(ExecutionStatus.TimedOut, inProcess.ToExecutionResult().Status);
    }

    /// <summary>Judges <paramref name="program"/> apart and in the sample's process; the two must agree.</summary>
    private async Task<AppsOutcome> JudgeOnly(string program)
    {
        var problem = AppsBenchmark.Instance.Load(_dir.Path).Problems.Single();
        var apart = await new AppsJudge(sandbox.Runner).RunAsync(problem, program, AppsLimits, CancellationToken.None);
        var inProcess = await new AppsJudge(sandbox.Runner, inSampleProcess: true).RunAsync(problem, program, AppsLimits, CancellationToken.None);
        Assert.True((apart.Cases, apart.CompileError, apart.Message) == (inProcess.Cases, inProcess.CompileError, inProcess.Message),
            $"apart {apart.Cases} {apart.CompileError} {apart.Message}; in-process {inProcess.Cases} {inProcess.CompileError} {inProcess.Message}");
        return apart;
    }
}
