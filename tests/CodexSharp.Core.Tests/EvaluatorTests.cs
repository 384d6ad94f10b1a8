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

    private EvaluationConfig Options(string samples, EvaluationSettings? settings = null) =>
        new() { SamplesPath = samples, Problems = _problems, Settings = settings ?? new EvaluationSettings { Ks = [1, 2, 10] } };

    private static EvaluationSettings With(int workers = 4, bool strict = false, bool? rerun = null) =>
        new() { Ks = [1, 2, 10], Workers = workers, Strict = strict, RerunTimeouts = rerun };

    [Fact]
    public async Task Writes_every_row_in_input_order_with_result_and_passed()
    {
        var samples = WriteSamples(("T/1", "#!fail"), ("T/0", "ok"), ("T/1", "ok"), ("T/0", "#!timeout"));
        var summary = await new Evaluator(new ScriptedRunner()).RunAsync(Options(samples, With(workers: 3)));

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

        await Assert.ThrowsAsync<UserInputException>(() => new Evaluator(new ScriptedRunner()).RunAsync(Options(samples, With(strict: true))));
    }

    [Fact]
    public async Task Strict_rejects_problems_without_samples()
    {
        var samples = WriteSamples(("T/0", "ok"));
        var e = await Assert.ThrowsAsync<UserInputException>(() => new Evaluator(new ScriptedRunner()).RunAsync(Options(samples, With(strict: true))));
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
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new Evaluator(first).RunAsync(Options(samples, With(workers: 1)), cts.Token));
        // Two programs are in flight per worker, so verdicts that finish beside the cancelled one are kept too.
        var journaled = VerdictLines(samples + "_results.jsonl.partial");
        Assert.InRange(journaled, 11, 29);

        var second = new ScriptedRunner();
        await new Evaluator(second).RunAsync(Options(samples));
        Assert.Equal(30 - journaled, second.Requests.Count);
        Assert.Equal(File.ReadAllText(_dir.File("reference.jsonl")), File.ReadAllText(samples + "_results.jsonl"));
    }

    [Fact]
    public async Task Torn_journal_line_is_dropped_and_rerun()
    {
        var samples = WriteSamples(("T/0", "ok"), ("T/1", "ok"), ("T/2", "#!fail"));
        using var cts = new CancellationTokenSource();
        var first = new ScriptedRunner();
        first.BeforeRun = r => { if (r.Program.Contains("#!fail")) { cts.Cancel(); cts.Token.ThrowIfCancellationRequested(); } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new Evaluator(first).RunAsync(Options(samples, With(workers: 1)), cts.Token));
        var journal = samples + "_results.jsonl.partial";
        var journaled = VerdictLines(journal);
        File.AppendAllText(journal, "{\"i\":2,\"status\":\"Pass"); // a kill -9 in the middle of a write

        var second = new ScriptedRunner();
        var summary = await new Evaluator(second).RunAsync(Options(samples));
        Assert.Equal(3 - journaled, second.Requests.Count);
        Assert.Contains(second.Requests, r => r.Program.Contains("#!fail"));
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
        var summary = await new Evaluator(runner).RunAsync(new EvaluationConfig
        {
            SamplesPath = samples, Problems = problems,
            Settings = new EvaluationSettings { Ks = [1], Calibration = new TimeLimitCalibration { Runs = 2, Factor = 10 } },
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
        var summary = await new Evaluator(runner).RunAsync(Options(samples, With(rerun: true)));
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
    public async Task The_runs_record_names_inputs_status_and_resolved_config()
    {
        var samples = WriteSamples(("T/0", "ok"), ("T/1", "#!fail"));
        var output = _dir.File("out.jsonl");
        await new Evaluator(new ScriptedRunner()).RunAsync(Options(samples, With(workers: 2)) with { OutputPath = output });
        var record = JsonNode.Parse(File.ReadAllText(_dir.File("out.config.json")))!;
        Assert.Equal("completed", record["status"]!.GetValue<string>());
        Assert.Equal(ProblemSet.HashFile(samples), record["samples"]!["sha256"]!.GetValue<string>());
        Assert.Equal(_problems.Sha256, record["problems"]!["sha256"]!.GetValue<string>());
        Assert.Equal(ToolInfo.Version, record["version"]!.GetValue<string>());
        Assert.Equal(2, record["config"]!["settings"]!["workers"]!.GetValue<int>());
        Assert.Equal(3.0, record["config"]!["settings"]!["timeout_s"]!.GetValue<double>());
        Assert.NotNull(record["finished_utc"]);
        Assert.True(File.Exists(_dir.File("out.summary.json")));
    }

    [Fact]
    public async Task An_interrupted_run_is_recorded_as_interrupted()
    {
        var samples = WriteSamples(("T/0", "ok"), ("T/1", "ok"));
        using var cts = new CancellationTokenSource();
        var runner = new ScriptedRunner { BeforeRun = _ => { cts.Cancel(); cts.Token.ThrowIfCancellationRequested(); } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new Evaluator(runner).RunAsync(Options(samples, With(workers: 1)), cts.Token));
        var record = JsonNode.Parse(File.ReadAllText(samples + "_results.config.json"))!;
        Assert.Equal("interrupted", record["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_runner_is_started_only_after_the_output_is_locked_and_only_if_needed()
    {
        var samples = WriteSamples(("T/0", "ok"));
        var output = _dir.File("locked.jsonl");
        var started = 0;
        Task<IProgramRunner> Start(CancellationToken _) { started++; return Task.FromResult<IProgramRunner>(new ScriptedRunner()); }
        using (JournalFile.Open(OutputPaths.Journal(output), output))
        {
            var error = await Assert.ThrowsAsync<UserInputException>(() => new Evaluator(Start).RunAsync(Options(samples) with { OutputPath = output }));
            Assert.Contains("locked.jsonl.lock", error.Message);
        }
        Assert.Equal(0, started);
        await new Evaluator(Start).RunAsync(Options(samples) with { OutputPath = output });
        Assert.Equal(1, started);
    }

    [Theory]
    [InlineData("samples")]
    [InlineData("problems")]
    public async Task Results_that_would_overwrite_an_input_are_refused(string which)
    {
        var samples = WriteSamples(("T/0", "ok"));
        var before = File.ReadAllText(samples);
        var target = which == "samples" ? samples : _problems.Path;
        var error = await Assert.ThrowsAsync<UserInputException>(() => new Evaluator(new ScriptedRunner()).RunAsync(Options(samples) with { OutputPath = target }));
        Assert.Contains($"is the {which} file", error.Message);
        Assert.Equal(before, File.ReadAllText(samples));
    }

    [Theory]
    [InlineData(0, "timeout_s")]
    [InlineData(1e9, "timeout_s")]
    public void Settings_out_of_range_name_their_field(double seconds, string field)
    {
        var error = Assert.Throws<ConfigException>(() => new EvaluationSettings { Timeout = TimeSpan.FromSeconds(Math.Min(seconds, 1e6)) }.Validate());
        Assert.Equal(field, error.Field);
        Assert.Equal("workers", Assert.Throws<ConfigException>(() => new EvaluationSettings { Workers = 9 }.Validate(maxWorkers: 8)).Field);
        Assert.Equal("ks", Assert.Throws<ConfigException>(() => new EvaluationSettings { Ks = [] }.Validate()).Field);
    }

    /// <summary>How many verdicts a journal holds (its lines after the header that name a row).</summary>
    private static int VerdictLines(string journal) => File.ReadLines(journal).Count(l => l.StartsWith("{\"i\":", StringComparison.Ordinal));
}
