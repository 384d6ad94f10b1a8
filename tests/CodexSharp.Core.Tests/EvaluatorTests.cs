using System.Text.Json.Nodes;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

/// <summary>Evaluation logic over a scripted runner; the real sandbox is tested in the Execution and Cli suites.</summary>
public sealed class EvaluatorTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ProblemSet _problems;

    public EvaluatorTests()
    {
        _problems = ProblemSet.Load(Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("T/0"), Fixtures.AddProblem("T/1"), Fixtures.AddProblem("T/2")]));
    }

    public void Dispose() => _dir.Dispose();

    private string WriteSamples(params (string Task, string Completion)[] rows) =>
        Fixtures.WriteJsonl(_dir.File("samples.jsonl"), rows.Select(r => Fixtures.Sample(r.Task, r.Completion)));

    private EvaluationOptions Options(string samples) => new() { SamplesPath = samples, Problems = _problems, Ks = [1, 2, 10] };

    [Fact]
    public async Task Writes_every_row_in_input_order_with_result_and_passed()
    {
        var samples = WriteSamples(("T/1", "#!fail"), ("T/0", "ok"), ("T/1", "ok"), ("T/0", "#!timeout"));
        var summary = await new Evaluator(new ScriptedRunner()).RunAsync(Options(samples) with { Concurrency = 3 });

        var rows = JsonlFile.Read(samples + "_results.jsonl").Select(r => r.Object).ToList();
        Assert.Equal(["T/1", "T/0", "T/1", "T/0"], rows.Select(r => r["task_id"]!.GetValue<string>()));
        Assert.Equal(["failed: scripted failure", "passed", "passed", "timed out"], rows.Select(r => r["result"]!.GetValue<string>()));
        Assert.Equal([false, true, true, false], rows.Select(r => r["passed"]!.GetValue<bool>()));
        Assert.Equal(new StatusCounts(2, 1, 1, 0), summary.Counts);
        Assert.Equal(0.5, summary.PassAtK["pass@1"].Value, 12);
        Assert.Equal(1.0, summary.PassAtK["pass@2"].Value, 12);
        Assert.Single(summary.SkippedK);
        Assert.Contains("pass@10", summary.SkippedK[0]);
        Assert.Equal(1, summary.ProblemsWithoutSamples);
        Assert.False(File.Exists(samples + "_results.jsonl.partial"));
        Assert.True(File.Exists(samples + "_results.summary.json"));
    }

    [Fact]
    public async Task Unknown_task_ids_warn_and_are_not_run_unless_strict()
    {
        var samples = WriteSamples(("T/0", "ok"), ("Nope/9", "ok"));
        var warnings = new List<string>();
        var summary = await new Evaluator(new ScriptedRunner(), warnings.Add).RunAsync(Options(samples));
        Assert.Contains(warnings, w => w.Contains(":2: field 'task_id': 'Nope/9' is not a task of"));
        var rows = JsonlFile.Read(samples + "_results.jsonl").ToList();
        Assert.Equal(Evaluator.UnknownTaskResult, rows[1].Object["result"]!.GetValue<string>());
        Assert.Equal(1, summary.Counts.NotRun);

        await Assert.ThrowsAsync<UserInputException>(() => new Evaluator(new ScriptedRunner()).RunAsync(Options(samples) with { Strict = true }));
    }

    [Fact]
    public async Task Strict_rejects_problems_without_samples()
    {
        var samples = WriteSamples(("T/0", "ok"));
        var e = await Assert.ThrowsAsync<UserInputException>(() => new Evaluator(new ScriptedRunner()).RunAsync(Options(samples) with { Strict = true }));
        Assert.Contains("2 of 3 problems have no samples", e.Message);
    }

    [Fact]
    public async Task Interrupted_run_resumes_without_rerunning_and_writes_the_same_file()
    {
        var rows = Enumerable.Range(0, 30).Select(i => ($"T/{i % 3}", i % 4 == 0 ? "#!fail" : $"ok {i}")).ToArray();
        var samples = WriteSamples(rows);
        await new Evaluator(new ScriptedRunner()).RunAsync(Options(samples) with { OutputPath = _dir.File("reference.jsonl") });

        using var cts = new CancellationTokenSource();
        var first = new ScriptedRunner();
        var count = 0;
        first.BeforeRun = _ => { if (Interlocked.Increment(ref count) == 12) { cts.Cancel(); cts.Token.ThrowIfCancellationRequested(); } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new Evaluator(first).RunAsync(Options(samples) with { Concurrency = 1 }, cts.Token));
        Assert.True(File.Exists(samples + "_results.jsonl.partial"));

        var second = new ScriptedRunner();
        await new Evaluator(second).RunAsync(Options(samples));
        Assert.Equal(30 - 11, second.Requests.Count);
        Assert.Equal(File.ReadAllText(_dir.File("reference.jsonl")), File.ReadAllText(samples + "_results.jsonl"));
    }

    [Fact]
    public async Task Torn_journal_line_is_dropped_and_rerun()
    {
        var samples = WriteSamples(("T/0", "ok"), ("T/1", "ok"), ("T/2", "#!fail"));
        using var cts = new CancellationTokenSource();
        var first = new ScriptedRunner();
        first.BeforeRun = r => { if (r.Program.Contains("#!fail")) { cts.Cancel(); cts.Token.ThrowIfCancellationRequested(); } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new Evaluator(first).RunAsync(Options(samples) with { Concurrency = 1 }, cts.Token));
        var journal = samples + "_results.jsonl.partial";
        File.AppendAllText(journal, "{\"i\":2,\"status\":\"Pass"); // a kill -9 in the middle of a write

        var second = new ScriptedRunner();
        var summary = await new Evaluator(second).RunAsync(Options(samples));
        Assert.Single(second.Requests);
        Assert.Equal(new StatusCounts(2, 1, 0, 0), summary.Counts);
    }

    [Fact]
    public async Task Journal_of_another_samples_file_is_discarded()
    {
        var samples = WriteSamples(("T/0", "ok"));
        File.WriteAllText(samples + "_results.jsonl.partial", "{\"samples_sha256\":\"other\"}\n{\"i\":0,\"status\":\"Failed\",\"result\":\"failed: \",\"ms\":1}\n");
        var warnings = new List<string>();
        var summary = await new Evaluator(new ScriptedRunner(), warnings.Add).RunAsync(Options(samples));
        Assert.Equal(1, summary.Counts.Passed);
        Assert.Contains(warnings, w => w.Contains("starting over"));
    }

    [Fact]
    public async Task Calibrated_limits_scale_the_canonical_runtime_and_are_recorded()
    {
        var rows = new[] { Fixtures.AddProblem("Fast"), Fixtures.AddProblem("Slow") };
        rows[1]["canonical_solution"] = "    return a + b  #!ms=200\n";
        var problems = ProblemSet.Load(Fixtures.WriteJsonl(_dir.File("cal.jsonl"), rows));
        var samples = Fixtures.WriteJsonl(_dir.File("s.jsonl"), [Fixtures.Sample("Fast", "ok"), Fixtures.Sample("Slow", "ok")]);
        var runner = new ScriptedRunner();
        var summary = await new Evaluator(runner).RunAsync(new EvaluationOptions
        {
            SamplesPath = samples, Problems = problems, Ks = [1], Calibration = new TimeLimitCalibration { Runs = 2, Factor = 10 },
        });
        Assert.Equal(1.0, summary.Tasks["Fast"].LimitSeconds);  // 10 x 1 ms is below the 1 s floor
        Assert.Equal(2.0, summary.Tasks["Slow"].LimitSeconds);  // 10 x 200 ms
        Assert.Equal(4, runner.Requests.Count(r => r.Timeout == TimeSpan.FromSeconds(20)));
        Assert.Contains(runner.Requests, r => r.Program.Contains("return ok") == false && r.Timeout == TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Timeouts_are_rerun_alone_and_changes_are_counted()
    {
        var samples = WriteSamples(("T/0", "#!flaky"), ("T/1", "#!timeout"), ("T/2", "ok"));
        var runner = new ScriptedRunner();
        var summary = await new Evaluator(runner).RunAsync(Options(samples) with { RerunTimeouts = true });
        Assert.Equal(new RerunFacts(true, 2, 1), summary.Reruns);
        Assert.Equal(new StatusCounts(2, 0, 1, 0), summary.Counts);
        Assert.Equal(5, runner.Requests.Count);
    }

    [Fact]
    public async Task Extra_sample_fields_are_carried_and_an_old_result_is_replaced()
    {
        var path = Fixtures.WriteJsonl(_dir.File("s.jsonl"), [new JsonObject { ["task_id"] = "T/0", ["completion"] = "ok", ["mean_logprob"] = -0.25, ["result"] = "stale", ["passed"] = false }]);
        await new Evaluator(new ScriptedRunner()).RunAsync(Options(path));
        var row = JsonlFile.Read(path + "_results.jsonl").Single().Object;
        Assert.Equal(-0.25, row["mean_logprob"]!.GetValue<double>());
        Assert.Equal("passed", row["result"]!.GetValue<string>());
        Assert.True(row["passed"]!.GetValue<bool>());
    }

    [Fact]
    public void Summary_path_sits_beside_the_results() =>
        Assert.Equal("/x/s.jsonl_results.summary.json", Evaluator.SummaryPathFor("/x/s.jsonl_results.jsonl"));
}
