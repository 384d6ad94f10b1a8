using System.CommandLine;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Io;
using CodexSharp.Execution;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp evaluate</c>: run samples against their problems' tests and report pass@k.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var samples = new Argument<FileInfo?>("samples") { Description = "Samples JSONL(.gz) with task_id and completion.", Arity = ArgumentArity.ZeroOrOne };
        var problems = new ProblemOptions();
        var ks = new Option<string>("--k") { Description = "The k of pass@k, comma-separated.", DefaultValueFactory = _ => "1,10,100" };
        var workers = new Option<int>("--workers") { Description = "Sandboxed Python workers (programs run at once).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var timeout = new Option<double>("--timeout") { Description = "Seconds each program may run (wall clock), as human-eval.", DefaultValueFactory = _ => 3.0 };
        var calibrate = new Option<bool>("--calibrate-timeouts") { Description = "Per-task limits from the canonical solution's runtime here: clamp(20 x slowest of 3 runs, 1 s, 20 s)." };
        var rerun = new Option<bool?>("--rerun-timeouts") { Description = "Re-run each timed-out sample once, alone, before the verdict is final (default: on with --calibrate-timeouts).", Arity = ArgumentArity.ZeroOrOne };
        var memory = new Option<int>("--memory-mb") { Description = "Address-space limit per program, in MiB.", DefaultValueFactory = _ => 4096 };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Results file (default: SAMPLES_results.jsonl, as human-eval)." };
        var strict = new Option<bool>("--strict") { Description = "Unknown task ids and problems without samples are errors, not warnings." };
        var unsafeNoSandbox = new Option<bool>("--unsafe-no-sandbox") { Description = "Run programs WITHOUT bubblewrap: they can read and change your files and use the network." };
        var selfCheck = new Option<bool>("--self-check") { Description = "Run the problems' canonical solutions; all must pass. Validates this machine." };

        var command = new Command("evaluate", "Run every sample against its problem's unit tests in a sandbox and report pass@k.")
        {
            samples, ks, workers, timeout, calibrate, rerun, memory, output, strict, unsafeNoSandbox, selfCheck,
        };
        problems.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(samples);
            var check = parse.GetValue(selfCheck);
            if (file is null && !check) throw new UserInputException("evaluate: give a samples file, or --self-check.");
            if (file is not null && check) throw new UserInputException("evaluate: --self-check takes no samples file.");
            var workerCount = parse.GetValue(workers);
            if (workerCount < 1) throw new UserInputException("--workers: expected 1 or more.");
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0)) throw new UserInputException("--timeout: expected a positive number of seconds.");
            var (problemSet, source) = await problems.LoadAsync(parse, ct);

            string samplesPath;
            string? outputPath = parse.GetValue(output)?.FullName;
            if (check)
            {
                var dir = Directory.CreateTempSubdirectory("codexsharp-self-check-").FullName;
                samplesPath = Path.Combine(dir, "canonical.jsonl");
                JsonlFile.WriteAllAtomic(samplesPath, problemSet.Problems.Select(p => new JsonObject { ["task_id"] = p.TaskId, ["completion"] = p.CanonicalSolution }));
            }
            else
            {
                samplesPath = file!.FullName;
            }

            var sandboxed = !parse.GetValue(unsafeNoSandbox);
            if (!sandboxed)
                AnsiConsole.MarkupLine("[bold red]WARNING: --unsafe-no-sandbox: generated programs run with your user's rights, files and network.[/]");
            var options = new EvaluationOptions
            {
                SamplesPath = samplesPath,
                Problems = problemSet,
                OutputPath = outputPath,
                Ks = check ? [1] : ParseKs(parse.GetValue(ks)!),
                Timeout = TimeSpan.FromSeconds(seconds),
                Calibration = parse.GetValue(calibrate) ? new TimeLimitCalibration() : null,
                RerunTimeouts = parse.GetValue(rerun),
                Concurrency = workerCount,
                Strict = parse.GetValue(strict),
                RunInfo = new Dictionary<string, string>
                {
                    ["problems_source"] = source,
                    ["workers"] = workerCount.ToString(),
                    ["sandbox"] = sandboxed ? "bubblewrap" : "none",
                    ["memory_mb"] = parse.GetValue(memory).ToString(),
                },
            };

            await using var runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions
            {
                Workers = workerCount,
                Unsandboxed = !sandboxed,
                MemoryLimitBytes = (long)parse.GetValue(memory) << 20,
            }, ct);
            var summary = await ProgressView.RunAsync(progress => new Evaluator(runner, Warn, progress).RunAsync(options, ct));
            SummaryView.Write(summary, Evaluator.SummaryPathFor(options.ResolvedOutputPath));
            if (check) return SelfCheckVerdict(summary, options.ResolvedOutputPath);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Warnings go to standard error, one unwrapped line each, so logs stay greppable.</summary>
    internal static void Warn(string message) => Console.Error.WriteLine("warning: " + message);

    private static int SelfCheckVerdict(EvaluationSummary summary, string resultsPath)
    {
        var failing = JsonlFile.Read(resultsPath).Where(r => r.Object["passed"]?.GetValue<bool>() != true).ToList();
        if (failing.Count == 0)
        {
            AnsiConsole.MarkupLine($"[green]self-check passed:[/] all {summary.Counts.Passed} canonical solutions pass on this machine.");
            return ExitCodes.Success;
        }
        foreach (var row in failing)
            AnsiConsole.MarkupLineInterpolated($"[red]{row.Object["task_id"]}[/]: {row.Object["result"]}");
        AnsiConsole.MarkupLine($"[red]self-check failed:[/] {failing.Count} canonical solution(s) did not pass.");
        return ExitCodes.RunFailed;
    }

    /// <summary>Parses "1,10,100" into distinct positive integers.</summary>
    internal static IReadOnlyList<int> ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out var k) || k < 1) throw new UserInputException($"--k: '{part}' is not a positive integer (expected e.g. 1,10,100).");
            if (!ks.Contains(k)) ks.Add(k);
        }
        if (ks.Count == 0) throw new UserInputException("--k: expected at least one value, e.g. 1,10,100.");
        return ks;
    }
}
