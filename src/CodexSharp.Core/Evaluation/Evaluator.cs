using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Core.Metrics;
using CodexSharp.Core.Problems;
using CodexSharp.Core.Samples;

namespace CodexSharp.Core.Evaluation;

/// <summary>Where an evaluation is: a phase, and how many of that phase's programs are done.</summary>
public readonly record struct EvaluationProgress(string Phase, int Done, int Total, int Passed);

/// <summary>Something the user should know that does not stop the run (unknown task ids, discarded journal...).</summary>
public delegate void WarningSink(string message);

/// <summary>
/// Runs a samples file against its problems and writes human-eval-compatible results, a summary and the
/// run's record. Verdicts go to a <see cref="ResultJournal"/> as they arrive, so an interrupted run resumes
/// where it stopped, and the results file is written at the end in input order: identical whether or not the
/// run was interrupted. The journal holds the output's lock, so two runs never write the same results.
/// </summary>
public sealed class Evaluator
{
    /// <summary>Result text of a row whose task id is not in the problems file.</summary>
    public const string UnknownTaskResult = "not run: unknown task_id";

    private readonly Func<CancellationToken, Task<IProgramRunner>> _startRunner;
    private readonly bool _ownsRunner;
    private readonly WarningSink _warn;
    private readonly IProgress<EvaluationProgress>? _progress;
    private IProgramRunner? _runner;
    private Task? _stopping;
    private IJudge? _judge;

    /// <summary>An evaluator that runs programs on <paramref name="runner"/> (the caller disposes it).</summary>
    public Evaluator(IProgramRunner runner, WarningSink? warn = null, IProgress<EvaluationProgress>? progress = null)
        : this(_ => Task.FromResult(runner), warn, progress, ownsRunner: false)
    {
    }

    /// <summary>
    /// An evaluator that starts its runner only once the inputs are read and the output is locked, and only
    /// if there is a program to run; it disposes the runner when done.
    /// </summary>
    public Evaluator(Func<CancellationToken, Task<IProgramRunner>> startRunner, WarningSink? warn = null, IProgress<EvaluationProgress>? progress = null)
        : this(startRunner, warn, progress, ownsRunner: true)
    {
    }

    private Evaluator(Func<CancellationToken, Task<IProgramRunner>> startRunner, WarningSink? warn, IProgress<EvaluationProgress>? progress, bool ownsRunner)
    {
        _startRunner = startRunner;
        _ownsRunner = ownsRunner;
        _warn = warn ?? (_ => { });
        _progress = progress;
    }

    /// <exception cref="UserInputException">An input is malformed, the output is taken by another run, or cannot be written.</exception>
    /// <exception cref="ConfigException">A setting is out of range.</exception>
    public async Task<EvaluationSummary> RunAsync(EvaluationConfig config, CancellationToken cancellationToken = default)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        config.Validate();
        if (JournalFile.IsLockHeld(config.SamplesPath))
            throw new UserInputException($"{config.SamplesPath}: a generate run is still writing it (it holds {OutputPaths.Lock(config.SamplesPath)}); evaluate it once sampling has finished, or use `run`, which evaluates when sampling ends.");
        WarnIfGenerationUnfinished(config.SamplesPath);
        var samples = SampleFile.Read(config.SamplesPath);
        var known = Partition(config, samples);
        var (mine, shard) = SelectShard(config, samples);
        if (config.Shard is not null) known = known.Where(s => shard!.Contains(s.Index)).ToList();
        var samplesSha = ProblemSet.HashFile(config.SamplesPath);
        var output = config.ResolvedOutputPath;

        using var journal = ResultJournal.Open(output, JournalHeader(config, samplesSha, shard?.Facts), out var discarded);
        if (discarded) _warn($"{OutputPaths.Journal(output)} belonged to another samples file or settings; starting over.");
        if (journal.Entries.Count > 0) _warn($"continuing: {journal.Entries.Count} of {known.Count} samples already have a verdict.");
        var record = new EvaluationRecord
        {
            Status = RunStatus.Running,
            StartedUtc = started,
            Samples = new FileFacts(config.SamplesPath, samplesSha, samples.Count),
            Problems = new FileFacts(config.Problems.Path, config.Problems.Sha256, config.Problems.Count),
            ResultsPath = output,
            SummaryPath = OutputPaths.Summary(output),
            Config = ResolvedEvaluationConfig.Of(config),
            Shard = shard?.Facts ?? config.SamplesShard,
        };
        record.Write();
        try
        {
            var summary = await EvaluateAsync(config, mine, known, samplesSha, journal, clock, cancellationToken);
            (record with { Status = RunStatus.Completed, FinishedUtc = DateTimeOffset.UtcNow }).Write();
            journal.Delete();
            return summary;
        }
        catch (Exception e)
        {
            var status = e is OperationCanceledException ? RunStatus.Interrupted : RunStatus.Failed;
            try
            {
                (record with { Status = status, FinishedUtc = DateTimeOffset.UtcNow, Error = status == RunStatus.Failed ? e.Message : null }).Write();
            }
            catch (Exception recordError) when (recordError is IOException or UserInputException)
            {
                _warn($"{OutputPaths.Config(output)}: could not record that the run {status}: {recordError.Message}");
            }
            throw;
        }
        finally
        {
            await StopRunnerAsync();
        }
    }

    private async Task<EvaluationSummary> EvaluateAsync(EvaluationConfig config, IReadOnlyList<Sample> samples, List<Sample> known, string samplesSha,
        ResultJournal journal, Stopwatch clock, CancellationToken cancellationToken)
    {
        var settings = config.Settings;
        var output = config.ResolvedOutputPath;
        var limits = await ResolveLimitsAsync(config, known, journal, cancellationToken);
        TimeSpan LimitOf(Sample s)
        {
            if (limits is not null && limits.TryGetValue(s.TaskId, out var l)) return TimeSpan.FromSeconds(l);
            config.Problems.TryGet(s.TaskId, out var problem);
            return _judge?.LimitOf(problem) ?? settings.Timeout;
        }

        var pending = known.Where(s => !journal.Entries.ContainsKey(s.Index)).ToList();
        // Two programs per worker in flight: the next one is always queued when a worker answers.
        await RunManyAsync("evaluating", known.Count, known.Count - pending.Count, pending, config, known, LimitOf, rerun: false, 2 * settings.Workers, journal, cancellationToken);

        var reruns = new RerunFacts(false, 0, 0);
        if (settings.ResolvedRerunTimeouts)
        {
            var timedOut = known.Where(s => journal.Entries[s.Index].Status == ExecutionStatus.TimedOut).ToList();
            var toRerun = timedOut.Where(s => !journal.Entries[s.Index].Rerun).ToList();
            await RunManyAsync("re-running timeouts alone", timedOut.Count, timedOut.Count - toRerun.Count, toRerun, config, known, LimitOf, rerun: true, 1, journal, cancellationToken);
            var changed = timedOut.Count(s => journal.Entries[s.Index].Status != ExecutionStatus.TimedOut);
            reruns = new RerunFacts(true, timedOut.Count, changed);
        }

        // Every verdict is in: the sandboxes are stopped while the results and summary are written.
        var stopping = StopRunnerAsync();
        var rows = samples.Select(s => ResultRow(s, journal.Entries.GetValueOrDefault(s.Index)));
        JsonlFile.WriteAllAtomic(output, rows);
        var summary = Summarize(config, samples.Select(s => (s.Index, s.TaskId)).ToList(), journal.Entries, samplesSha, limits, reruns, clock.Elapsed);
        OutputFiles.Guard(OutputPaths.Summary(output), () => AtomicFile.WriteAllText(OutputPaths.Summary(output), JsonSerializer.Serialize(summary, SummaryJson) + "\n"));
        await stopping;
        return summary;
    }

    /// <summary>Starts disposing the runner this evaluator started, if any (once; it is not used again), and returns that disposal.</summary>
    private Task StopRunnerAsync()
    {
        if (_stopping is null && _ownsRunner && _runner is { } runner)
        {
            _runner = null;
            _stopping = Task.Run(async () => await runner.DisposeAsync());
        }
        return _stopping ?? Task.CompletedTask;
    }

    private async Task<IProgramRunner> RunnerAsync(CancellationToken ct) => _runner ??= await _startRunner(ct);

    /// <summary>The benchmark's judge, prepared once (after the runner starts) for the tasks that have samples.</summary>
    private async Task<IJudge> JudgeAsync(EvaluationConfig config, List<Sample> known, CancellationToken ct)
    {
        if (_judge is not null) return _judge;
        var runner = await RunnerAsync(ct);
        var taskIds = known.Select(s => s.TaskId).ToHashSet(StringComparer.Ordinal);
        var run = new BenchmarkRun(config.Problems, taskIds, runner, config.CacheDirectory, Math.Max(1, config.Settings.Workers), _progress, _warn)
        {
            TestsInSampleProcess = config.Settings.TestsInSampleProcess,
        };
        return _judge = await config.Benchmark.PrepareAsync(run, ct);
    }

    /// <summary>How every JSON record of an evaluation is written: snake_case, indented, non-ASCII kept.</summary>
    public static JsonSerializerOptions SummaryJson { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private List<Sample> Partition(EvaluationConfig options, IReadOnlyList<Sample> samples)
    {
        var known = samples.Where(s => options.Problems.TryGet(s.TaskId, out _)).ToList();
        var unknown = samples.Where(s => !options.Problems.TryGet(s.TaskId, out _)).ToList();
        if (unknown.Count > 0)
        {
            var first = unknown[0];
            var message = $"{options.SamplesPath}:{first.Line}: field 'task_id': '{first.TaskId}' is not a task of {options.Problems.Path}"
                + (unknown.Count > 1 ? $" ({unknown.Count} rows have unknown task ids)" : "");
            if (options.Settings.Strict) throw new UserInputException(message + ".");
            _warn(message + $"; those rows are not run and get result '{UnknownTaskResult}'.");
        }
        if (known.Count == 0)
            throw new UserInputException($"{options.SamplesPath}: no sample answers a task of {options.Problems.Path} ({options.Benchmark.Name}); " + Recognised(samples));
        var covered = known.Select(s => s.TaskId).ToHashSet(StringComparer.Ordinal);
        var missing = options.Problems.Problems.Count(p => !covered.Contains(p.TaskId));
        if (missing > 0)
        {
            var message = $"{missing} of {options.Problems.Count} problems have no samples";
            if (options.Settings.Strict) throw new UserInputException($"{options.SamplesPath}: {message} (--strict).");
            _warn(message + "; pass@k is over the " + covered.Count + " that do.");
        }
        return known;
    }

    /// <summary>Which benchmark a samples file's task ids look like, as advice.</summary>
    private static string Recognised(IReadOnlyList<Sample> samples)
    {
        var ids = samples.Select(s => s.TaskId).Distinct(StringComparer.Ordinal).ToList();
        var example = $"'{ids[0]}'";
        var guesses = BenchmarkCatalog.Recognise(ids);
        return guesses.Count == 0
            ? $"its task ids (e.g. {example}) look like no known benchmark's; is it the right problems file?"
            : $"its task ids (e.g. {example}) look like {string.Join(" or ", guesses.Select(b => b.Name))} task ids: pass --dataset {guesses[0].Name} (with --problems FILE for a local copy).";
    }

    /// <summary>The rows of the config's shard (whole tasks, balanced by row count) and the facts its record keeps; all rows when not sharded.</summary>
    /// <exception cref="ConfigException">There are more shards than tasks (field <c>shard</c>).</exception>
    private static (IReadOnlyList<Sample> Rows, RowShard? Shard) SelectShard(EvaluationConfig config, IReadOnlyList<Sample> samples)
    {
        if (config.Shard is not { } choice) return (samples, null);
        var plan = Sharding.ShardPlan.ForRows(samples.Select(s => s.TaskId).ToList(), choice.Spec.Count, out var rowShard);
        var mine = samples.Where(s => rowShard[s.Index] == choice.Spec.Index).ToList();
        var facts = new Sharding.ShardFacts
        {
            Index = choice.Spec.Index,
            Count = choice.Spec.Count,
            Source = choice.Source,
            PlanSha256 = plan.Fingerprint,
            TotalRows = samples.Count,
            Rows = mine.Count,
            RowRanges = Sharding.ShardPlan.Ranges(mine.Select(s => s.Index)),
        };
        return (mine, new RowShard(facts, mine.Select(s => s.Index).ToHashSet()));
    }

    /// <summary>A shard of the rows: its record's facts and its row indices.</summary>
    private sealed record RowShard(Sharding.ShardFacts Facts, HashSet<int> Indices)
    {
        public bool Contains(int index) => Indices.Contains(index);
    }

    /// <summary>A samples file whose generation record says sampling did not finish is evaluated as it is, with a warning.</summary>
    private void WarnIfGenerationUnfinished(string samplesPath)
    {
        var recordPath = OutputPaths.Config(samplesPath);
        if (!File.Exists(recordPath)) return;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(recordPath)) is not JsonObject record || record["samples_per_task"] is null) return; // not a generation record
            // A run still holding the samples file was refused before this; one that was killed reads as interrupted.
            if (RunStatus.Read(record, samplesPath) is { } status and (RunStatus.Interrupted or RunStatus.Failed or RunStatus.Incomplete))
                _warn($"{samplesPath}: its generation record ({recordPath}) says '{status}': some tasks may have fewer samples than asked for; run the same generate command again to finish them.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
        }
    }

    private static JsonObject JournalHeader(EvaluationConfig config, string samplesSha, Sharding.ShardFacts? shard)
    {
        var header = new JsonObject
        {
            ["samples_sha256"] = samplesSha,
            ["problems_sha256"] = config.Problems.Sha256,
            ["timeout_s"] = config.Settings.Timeout.TotalSeconds,
            ["calibration"] = config.Settings.Calibration is { } c ? $"{c.Runs}x{c.Factor}[{c.Floor.TotalSeconds},{c.Ceiling.TotalSeconds}]" : "none",
            ["cpu_limit"] = config.Settings.CpuLimitRule,
        };
        // Only other benchmarks name themselves, so that a HumanEval journal of an earlier version still continues.
        if (config.Benchmark != BenchmarkCatalog.Default) header["benchmark"] = config.Benchmark.Name;
        if (shard is not null) header["shard"] = $"{shard.Index}/{shard.Count} {shard.PlanSha256}";
        return header;
    }

    private async Task<Dictionary<string, double>?> ResolveLimitsAsync(EvaluationConfig options, List<Sample> known, ResultJournal journal, CancellationToken ct)
    {
        if (options.Settings.Calibration is not { } calibration) return null;
        if (journal.CalibratedLimitsSeconds is { } recorded) return recorded;
        var tasks = known.Select(s => s.TaskId).Distinct(StringComparer.Ordinal).Select(id => { options.Problems.TryGet(id, out var p); return p; }).ToList();
        var slowest = new Dictionary<string, TimeSpan>();
        var done = 0;
        var total = tasks.Count * calibration.Runs;
        var gate = new Lock();
        var judge = await JudgeAsync(options, known, ct);
        for (var run = 0; run < calibration.Runs; run++)
        {
            await Parallel.ForEachAsync(tasks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Settings.Workers), CancellationToken = ct }, async (problem, token) =>
            {
                var result = (await judge.JudgeAsync(problem!, options.Benchmark.CanonicalCompletion(problem!), new RunLimits(calibration.Ceiling), token)).Result;
                lock (gate)
                {
                    if (!result.Passed) slowest[problem.TaskId] = TimeSpan.MaxValue;
                    else if (!slowest.TryGetValue(problem.TaskId, out var t) || (t != TimeSpan.MaxValue && result.Duration > t)) slowest[problem.TaskId] = result.Duration;
                    _progress?.Report(new EvaluationProgress("calibrating time limits", ++done, total, 0));
                }
            });
        }
        var limits = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var problem in tasks)
        {
            if (slowest[problem.TaskId] == TimeSpan.MaxValue)
            {
                _warn($"{problem.TaskId}: the canonical solution does not pass here; its samples get the fixed limit of {options.Settings.Timeout.TotalSeconds:0.###} s.");
                continue;
            }
            limits[problem.TaskId] = Math.Round(calibration.LimitFor(slowest[problem.TaskId]).TotalSeconds, 3);
        }
        journal.RecordLimits(limits);
        return limits;
    }

    private async Task RunManyAsync(string phase, int total, int alreadyDone, List<Sample> pending, EvaluationConfig config, List<Sample> known,
        Func<Sample, TimeSpan> limitOf, bool rerun, int concurrency, ResultJournal journal, CancellationToken ct)
    {
        if (pending.Count == 0) return;
        var judge = await JudgeAsync(config, known, ct);
        var done = alreadyDone;
        var passed = journal.Entries.Values.Count(e => e.Status == ExecutionStatus.Passed);
        _progress?.Report(new EvaluationProgress(phase, done, total, passed));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = ct };
        await Parallel.ForEachAsync(pending, parallel, async (sample, token) =>
        {
            config.Problems.TryGet(sample.TaskId, out var problem);
            var limit = limitOf(sample);
            var judgement = await judge.JudgeAsync(problem, sample.Completion, new RunLimits(limit, config.Settings.CpuLimitFor(limit)), token);
            // A verdict that arrives once the run is stopping may be the stop's own doing (Ctrl-C in a terminal and
            // scancel under Slurm signal the sandboxed processes too): it is not kept, and the sample runs again on resume.
            token.ThrowIfCancellationRequested();
            var result = judgement.Result;
            if (rerun && journal.Entries.TryGetValue(sample.Index, out var before) && before.Status == ExecutionStatus.Passed) Interlocked.Decrement(ref passed);
            journal.Record(new JournalEntry(sample.Index, result.Status, result.Result, result.Duration.TotalMilliseconds, rerun, judgement.Flags));
            var nowPassed = result.Passed ? Interlocked.Increment(ref passed) : Volatile.Read(ref passed);
            _progress?.Report(new EvaluationProgress(phase, Interlocked.Increment(ref done), total, nowPassed));
        });
    }

    private static JsonObject ResultRow(Sample sample, JournalEntry? entry)
    {
        var row = (JsonObject)sample.Row.DeepClone();
        row["result"] = entry?.Result ?? UnknownTaskResult;
        row["passed"] = entry?.Status == ExecutionStatus.Passed;
        foreach (var (name, value) in entry?.Flags ?? new Dictionary<string, bool>()) row[name] = value;
        return row;
    }

    private static Judgement JudgementOf(JournalEntry entry) =>
        new(new ExecutionResult(entry.Status, entry.Result, TimeSpan.FromMilliseconds(entry.DurationMs)), entry.Flags);

    /// <summary>The summary of verdicts <paramref name="entries"/> on <paramref name="samples"/> (row index and task of each row written).</summary>
    internal static EvaluationSummary Summarize(EvaluationConfig options, IReadOnlyList<(int Index, string TaskId)> samples, IReadOnlyDictionary<int, JournalEntry> entries,
        string samplesSha, IReadOnlyDictionary<string, double>? limits, RerunFacts reruns, TimeSpan elapsed)
    {
        var tasks = new Dictionary<string, TaskCounts>(StringComparer.Ordinal);
        var byTask = samples.Where(s => entries.ContainsKey(s.Index)).ToLookup(s => s.TaskId, StringComparer.Ordinal);
        foreach (var problem in options.Problems.Problems)
        {
            var mine = byTask[problem.TaskId].ToList();
            if (mine.Count == 0) continue;
            var passedCount = mine.Count(s => entries[s.Index].Status == ExecutionStatus.Passed);
            double? limit = limits is not null && limits.TryGetValue(problem.TaskId, out var l) ? l : null;
            tasks[problem.TaskId] = new TaskCounts(mine.Count, passedCount, limit);
        }
        var (passAtK, skipped) = PassAtKTable.Compute(tasks, options.Settings.Ks);
        var judged = options.Problems.Problems.Where(p => tasks.ContainsKey(p.TaskId))
            .Select(p => new TaskJudgements(p.TaskId, byTask[p.TaskId].Select(s => JudgementOf(entries[s.Index])).ToList()))
            .ToList();
        var extra = options.Benchmark.ExtraColumns(judged, options.Settings.Ks);
        var statuses = entries.Values.GroupBy(e => e.Status).ToDictionary(g => g.Key, g => g.Count());
        var config = new Dictionary<string, string>(options.RunInfo)
        {
            ["timeout_s"] = options.Settings.Timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
            ["workers"] = options.Settings.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sandbox"] = options.Settings.Sandboxed ? "bubblewrap" : "none",
            // C# programs carry their tests (MultiPL-E's Main): only Python benchmarks are judged apart.
            ["judging"] = options.Benchmark.Language == Benchmarks.ProgramLanguages.Python ? options.Settings.JudgingRule : "in-process",
            ["memory_mb"] = options.Settings.MemoryMb.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["time_limits"] = options.Settings.Calibration is { } c
                ? $"calibrated: {c.Factor}x slowest of {c.Runs} canonical runs, clamped to [{c.Floor.TotalSeconds}, {c.Ceiling.TotalSeconds}] s"
                : options.Benchmark.TimeLimitRule ?? "fixed",
            ["cpu_limit"] = options.Benchmark.TimeLimitRule is null ? options.Settings.CpuLimitRule : "none",
            ["rerun_timeouts"] = options.Settings.ResolvedRerunTimeouts ? "yes" : "no",
            ["ks"] = string.Join(",", options.Settings.Ks),
            ["benchmark"] = options.Benchmark.Name,
        };
        var ran = entries.Count;
        var timeoutSeconds = entries.Values.Where(e => e.Status == ExecutionStatus.TimedOut).Sum(e => e.DurationMs) / 1000;
        var workerSeconds = Math.Max(options.Settings.Workers * elapsed.TotalSeconds, 1e-9);
        return new EvaluationSummary
        {
            Tool = "codexsharp",
            Version = ToolInfo.Version,
            FinishedUtc = DateTimeOffset.UtcNow,
            Samples = new FileFacts(options.SamplesPath, samplesSha, samples.Count),
            Problems = new FileFacts(options.Problems.Path, options.Problems.Sha256, options.Problems.Count),
            ResultsPath = options.ResolvedOutputPath,
            Config = config,
            PassAtK = passAtK,
            SkippedK = skipped,
            MainColumn = options.Benchmark.MainColumn,
            PassAtKBy = extra.Count == 0 ? null : extra.ToDictionary(c => c.Key, c => c.Value.Estimates),
            Counts = new StatusCounts(statuses.GetValueOrDefault(ExecutionStatus.Passed), statuses.GetValueOrDefault(ExecutionStatus.Failed),
                statuses.GetValueOrDefault(ExecutionStatus.TimedOut), samples.Count - ran),
            ProblemsWithoutSamples = options.Problems.Count - tasks.Count,
            ProblemsEvaluated = tasks.Count,
            Reruns = reruns,
            Timeouts = new TimeoutFacts(statuses.GetValueOrDefault(ExecutionStatus.TimedOut), Math.Round(timeoutSeconds, 3),
                Math.Round(Math.Min(1, timeoutSeconds / workerSeconds), 4)),
            Tasks = tasks,
            DurationSeconds = Math.Round(elapsed.TotalSeconds, 3),
            SamplesPerSecond = Math.Round(ran / Math.Max(elapsed.TotalSeconds, 1e-9), 1),
        };
    }
}
