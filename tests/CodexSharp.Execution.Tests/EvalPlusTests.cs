using System.Text.Json.Nodes;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Testing;

namespace CodexSharp.Execution.Tests;

/// <summary>
/// HumanEval+ and MBPP+ judging (base and plus inputs against the reference's outputs) on small problems
/// written here, in the real sandbox, through the real evaluator.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class EvalPlusTests(SandboxFixture sandbox) : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>Three HumanEval+-layout problems: ints, a float mean with atol 1e-4, and find_zero's special oracle.</summary>
    public static string HumanEvalPlusFixture(TempDir dir) => dir.Write("humanevalplus-mini.jsonl", string.Join('\n',
        Row("HumanEval/900", "def double_it(x: int) -> int:\n    \"\"\"Twice x.\"\"\"\n", "    return 2 * x\n", "double_it",
            "[[1], [2], [-4]]", "[[1000000], [0], [123456789]]", 0),
        Row("HumanEval/901", "def mean(xs: list) -> float:\n    \"\"\"The mean of xs.\"\"\"\n", "    return sum(xs) / len(xs)\n", "mean",
            "[[[1.0, 2.0]], [[0.1, 0.2, 0.3]]]", "[[[3.14159, 2.71828, 1.41421]], [[1e3, 2e-3]]]", 1e-4),
        Row("HumanEval/32", "import math\n\ndef poly(xs: list, x: float):\n    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])\n\n\ndef find_zero(xs: list):\n    \"\"\"A zero of the polynomial xs.\"\"\"\n",
            "    lo, hi = -1000.0, 1000.0\n    while hi - lo > 1e-10:\n        mid = (lo + hi) / 2\n        if (poly(xs, lo) < 0) == (poly(xs, mid) < 0):\n            lo = mid\n        else:\n            hi = mid\n    return lo\n",
            "find_zero", "[[[-6, 11, -6, 1]]]", "[[[1, 2]], [[-3, 0, 1]]]", 1e-4)) + "\n");

    private static string Row(string taskId, string prompt, string solution, string entryPoint, string baseInput, string plusInput, double atol) =>
        new JsonObject
        {
            ["task_id"] = taskId, ["prompt"] = prompt, ["canonical_solution"] = solution, ["entry_point"] = entryPoint,
            ["base_input"] = JsonNode.Parse(baseInput), ["plus_input"] = JsonNode.Parse(plusInput), ["atol"] = atol,
        }.ToJsonString();

    [Fact]
    public async Task Base_and_plus_verdicts_with_atol_a_special_oracle_and_a_timeout()
    {
        var problems = EvalPlusBenchmark.HumanEvalPlus.Load(HumanEvalPlusFixture(_dir));
        var samples = _dir.Write("samples.jsonl", string.Join('\n', new (string Task, string Completion)[]
        {
            ("HumanEval/900", "    return 2 * x\n"),                                   // right
            ("HumanEval/900", "    return 2 * x if x < 1000 else 0\n"),               // passes base, fails plus
            ("HumanEval/900", "    while x > 1000:\n        pass\n    return 2 * x\n"), // passes base, loops on plus: timed out after 1 s
            ("HumanEval/900", "    return x + 1\n"),                                    // fails base on its second input
            ("HumanEval/901", "    return round(sum(xs) / len(xs), 4)\n"),              // within atol 1e-4
            ("HumanEval/901", "    return round(sum(xs) / len(xs), 2)\n"),              // beyond it on a plus input
            ("HumanEval/32", "    if len(xs) == 2:\n        return -xs[0] / xs[1]\n    return 3.0 if len(xs) == 4 else 3 ** 0.5\n"), // other zeros than the reference's: the oracle accepts them
            ("HumanEval/32", "    return 0.5\n"),                                       // not a zero
        }.Select(s => new JsonObject { ["task_id"] = s.Task, ["completion"] = s.Completion }.ToJsonString())) + "\n");

        var summary = await Evaluate(samples, problems, EvalPlusBenchmark.HumanEvalPlus);

        var rows = JsonlFile.Read(_dir.File("results.jsonl")).Select(r => r.Object).ToList();
        var verdicts = rows.Select(r => (Passed: r["passed"]!.GetValue<bool>(), Base: r["base_passed"]!.GetValue<bool>(), Result: r["result"]!.GetValue<string>())).ToList();
        Assert.Equal((true, true, "passed"), verdicts[0]);
        Assert.Equal((false, true, "failed: plus_input[0] (of 3): expected 2000000, got 0"), verdicts[1]);
        Assert.Equal((false, true, "timed out"), verdicts[2]);
        Assert.Equal((false, false, "failed: base_input[1] (of 3): expected 4, got 3"), verdicts[3]);
        Assert.Equal((true, true, "passed"), verdicts[4]);
        Assert.Equal((false, true), (verdicts[5].Passed, verdicts[5].Base));
        Assert.StartsWith("failed: plus_input[0] (of 2): expected 2.42469", verdicts[5].Result);
        Assert.Equal((true, true, "passed"), verdicts[6]);
        Assert.Equal((false, false), (verdicts[7].Passed, verdicts[7].Base));
        Assert.StartsWith("failed: base_input[0] (of 1): |poly(xs, x)| = ", verdicts[7].Result);

        // pass@1 per problem, averaged. base: 900 3/4, 901 2/2, 32 1/2; base+plus: 900 1/4, 901 1/2, 32 1/2.
        Assert.Equal("base+plus", summary.MainColumn);
        Assert.Equal((0.25 + 0.5 + 0.5) / 3, summary.PassAtK["pass@1"].Value, 9);
        Assert.Equal((0.75 + 1 + 0.5) / 3, summary.PassAtKBy!["base"]["pass@1"].Value, 9);
        Assert.Equal(1, summary.Counts.TimedOut);
        Assert.True(File.Exists(EvalPlusReferenceTimes.CachePath(_dir.File("cache"), problems)));
    }

    [Fact]
    public async Task Mbpp_plus_inputs_become_tuples_and_set_equal_outputs_pass()
    {
        // Mbpp/2 (similar_elements): EvalPlus passes its list inputs as tuples and compares outputs as sets.
        var path = _dir.Write("mbppplus-mini.jsonl", Row("Mbpp/2", "\"\"\"\nWrite a function to find the shared elements from the given two lists.\n\"\"\"\n",
            "def similar_elements(test_tup1, test_tup2):\n  return tuple(set(test_tup1) & set(test_tup2))\n", "similar_elements",
            "[[[3, 4, 5, 6], [5, 7, 4, 10]]]", "[[[1, 2, 3], [3, 2, 9]]]", 0) + "\n");
        var problems = EvalPlusBenchmark.MbppPlus.Load(path);
        var samples = _dir.Write("samples.jsonl", string.Join('\n', new[]
        {
            "def similar_elements(a, b):\n    assert isinstance(a, tuple) and isinstance(b, tuple)\n    return tuple(sorted(set(a) & set(b), reverse=True))\n",
            "def similar_elements(a, b):\n    return tuple(x for x in a if x in b)[:1]\n",
        }.Select(c => new JsonObject { ["task_id"] = "Mbpp/2", ["completion"] = c }.ToJsonString())) + "\n");

        await Evaluate(samples, problems, EvalPlusBenchmark.MbppPlus);

        var rows = JsonlFile.Read(_dir.File("results.jsonl")).Select(r => r.Object).ToList();
        Assert.Equal("passed", rows[0]["result"]!.GetValue<string>());
        Assert.False(rows[1]["passed"]!.GetValue<bool>());
        Assert.Equal("failed: base_input[0] (of 1): expected (4, 5), got (4,)", rows[1]["result"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(false, "failed: plus_input[0] (of 3): SampleFailure: the program ended before its tests finished")]
    [InlineData(true, "failed: the program exited with status 0 before its tests finished")]
    public async Task A_completion_that_kills_its_process_during_plus_keeps_its_base_verdict(bool inSampleProcess, string expected)
    {
        var problems = EvalPlusBenchmark.HumanEvalPlus.Load(HumanEvalPlusFixture(_dir));
        var run = new BenchmarkRun(problems, ["HumanEval/900"], sandbox.Runner, _dir.File("cache"), 2, null, _ => { }) { TestsInSampleProcess = inSampleProcess };
        var judge = await EvalPlusBenchmark.HumanEvalPlus.PrepareAsync(run, CancellationToken.None);
        Assert.True(problems.TryGet("HumanEval/900", out var problem));
        var completion = "    if x >= 1000:\n        import posix\n        posix._exit(0)\n    return 2 * x\n";
        var judgement = await judge.JudgeAsync(problem, completion, new RunLimits(judge.LimitOf(problem)!.Value), CancellationToken.None);
        Assert.False(judgement.Result.Passed);
        Assert.Equal(expected, judgement.Result.Result);
        Assert.True(judgement.Flag(EvalPlusBenchmark.BasePassed));
    }

    private async Task<EvaluationSummary> Evaluate(string samples, ProblemSet problems, Benchmark benchmark)
    {
        var config = new EvaluationConfig
        {
            SamplesPath = samples,
            Problems = problems,
            Benchmark = benchmark,
            OutputPath = _dir.File("results.jsonl"),
            CacheDirectory = _dir.File("cache"),
            Settings = new EvaluationSettings { Workers = 2, Ks = [1] },
        };
        return await new Evaluator(sandbox.Runner).RunAsync(config);
    }

    public void Dispose() => _dir.Dispose();
}
