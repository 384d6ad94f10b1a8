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
        var judge = new AppsJudge(sandbox.Runner);
        var runs = problems.Problems.SelectMany(problem => AppsFixtures.CodeRlPrograms(problem.Row["problem_dir"]!.GetValue<string>())
            .Select(async (program, i) => (problem.TaskId, Index: i, program.Verdict, program.ErrorType,
                Ours: await judge.RunAsync(problem, program.Code, AppsLimits, CancellationToken.None))));
        var results = await Task.WhenAll(runs);

        output.WriteLine("| problem | programs | CodeRL True/False/-1/-2 | ours True/False/-1/-2 | same verdict |");
        foreach (var task in results.GroupBy(r => r.TaskId))
        {
            string Tally(Func<(string TaskId, int Index, string Verdict, string ErrorType, AppsOutcome Ours), string> of) =>
                string.Join("/", new[] { "True", "False", "-1", "-2" }.Select(v => task.Count(r => of(r) == v)));
            output.WriteLine($"| {task.Key} | {task.Count()} | {Tally(r => r.Verdict)} | {Tally(r => r.Ours.CodeRlVerdict)} | {task.Count(r => r.Verdict == r.Ours.CodeRlVerdict)} |");
        }
        var differences = results.Where(r => r.Verdict != r.Ours.CodeRlVerdict)
            .Select(r => $"{r.TaskId} #{r.Index}: CodeRL {r.Verdict} ({r.ErrorType}), ours {r.Ours.CodeRlVerdict} ({r.Ours.Cases}: {r.Ours.ToExecutionResult().Result})").ToList();
        Assert.Equal(83, results.Length);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.Equal(35, results.Count(r => r.Ours.ToExecutionResult().Passed));
    }

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

    private async Task<AppsOutcome> JudgeOnly(string program)
    {
        var problem = AppsBenchmark.Instance.Load(_dir.Path).Problems.Single();
        return await new AppsJudge(sandbox.Runner).RunAsync(problem, program, AppsLimits, CancellationToken.None);
    }
}
