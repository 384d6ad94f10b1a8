using System.CommandLine;
using System.Globalization;
using CodexSharp.Core;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Execution;
using Spectre.Console;

namespace CodexSharp.Cli;

/// <summary>
/// The flags that say how samples are evaluated (pass@k, sandbox, limits), shared by <c>evaluate</c> and
/// <c>run</c>: they bind to one validated <see cref="EvaluationSettings"/>, and both commands evaluate the
/// same way: start the sandboxed runner, show progress, print the summary.
/// </summary>
internal sealed class EvaluationFlags
{
    public Option<string> Ks { get; } = new("--k") { Description = "The k of pass@k, comma-separated (a k above some task's sample count is not reported).", DefaultValueFactory = _ => "1,10,100" };
    public Option<int> Workers { get; } = new("--workers") { Description = $"Sandboxed Python workers (programs run at once), 1 to {PythonRunnerOptions.MaxWorkers} (4 per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
    public Option<double> Timeout { get; } = new("--timeout") { Description = $"Seconds each program may run (wall clock), as human-eval; at most {EvaluationSettings.MaxTimeout.TotalSeconds:0}.", DefaultValueFactory = _ => 3.0 };
    public Option<double?> CpuLimit { get; } = new("--cpu-limit") { Description = "CPU seconds a program may use before it is timed out, ahead of --timeout (default: a third of its wall-clock limit); 0: none, human-eval's wall-clock rule alone." };
    public Option<bool> Calibrate { get; } = new("--calibrate-timeouts") { Description = "Per-task limits from the canonical solution's runtime here: clamp(20 x slowest of 3 runs, 1 s, 20 s)." };
    public Option<bool?> Rerun { get; } = new("--rerun-timeouts") { Description = "Re-run each timed-out sample once, alone, before the verdict is final (default: on with --calibrate-timeouts).", Arity = ArgumentArity.ZeroOrOne };
    public Option<int> MemoryMb { get; } = new("--memory-mb") { Description = "Address-space limit per program, in MiB.", DefaultValueFactory = _ => 4096 };
    public Option<bool> TestsInSampleProcess { get; } = new("--tests-in-sample-process")
    {
        Description = "Run each sample's tests inside its own process, as human-eval, EvalPlus and APPS do (their exact verdicts; a sample can then forge a pass). Default: apart, only data crosses.",
    };

    public Option<bool> UnsafeNoSandbox { get; } = new("--unsafe-no-sandbox") { Description = "Run programs WITHOUT bubblewrap: they can read and change your files and use the network." };

    /// <summary>The flag that sets each field of <see cref="EvaluationSettings"/>, for error messages.</summary>
    private static readonly Dictionary<string, string> FlagOfField = new()
    {
        ["ks"] = "--k",
        ["timeout_s"] = "--timeout",
        ["cpu_limit_s"] = "--cpu-limit",
        ["workers"] = "--workers",
        ["memory_mb"] = "--memory-mb",
    };

    /// <summary>True when the command line sets --timeout or --cpu-limit itself.</summary>
    public bool TimeoutGiven(ParseResult parse) =>
        parse.GetResult(Timeout) is { Implicit: false } || parse.GetResult(CpuLimit) is { Implicit: false };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Ks, Workers, Timeout, CpuLimit, Calibrate, Rerun, MemoryMb, TestsInSampleProcess, UnsafeNoSandbox }) command.Options.Add(option);
    }

    /// <summary>
    /// Binds and validates every evaluation flag, without the samples or the problems, so that a command can
    /// refuse bad flags before it downloads, generates or runs anything.
    /// </summary>
    /// <exception cref="UserInputException">A flag is out of range; the message names the flag.</exception>
    public EvaluationSettings Bind(ParseResult parse)
    {
        var seconds = parse.GetValue(Timeout);
        if (!(double.IsFinite(seconds) && seconds > 0 && seconds <= EvaluationSettings.MaxTimeout.TotalSeconds))
            throw MapToFlag(new ConfigException("timeout_s", $"expected more than 0 and at most {EvaluationSettings.MaxTimeout.TotalSeconds:0} seconds (1 hour), not {seconds.ToString(CultureInfo.InvariantCulture)}."));
        var cpuSeconds = parse.GetValue(CpuLimit);
        if (cpuSeconds is { } cpu && !(double.IsFinite(cpu) && cpu >= 0 && cpu <= EvaluationSettings.MaxTimeout.TotalSeconds))
            throw MapToFlag(new ConfigException("cpu_limit_s", $"expected 0 (no CPU-time limit) to {EvaluationSettings.MaxTimeout.TotalSeconds:0} seconds, not {cpu.ToString(CultureInfo.InvariantCulture)}."));
        var settings = new EvaluationSettings
        {
            CpuLimit = cpuSeconds is { } limit ? TimeSpan.FromSeconds(limit) : null,
            Ks = ParseKs(parse.GetValue(Ks)!),
            Timeout = TimeSpan.FromSeconds(seconds),
            Calibration = parse.GetValue(Calibrate) ? new TimeLimitCalibration() : null,
            RerunTimeouts = parse.GetValue(Rerun),
            Workers = parse.GetValue(Workers),
            MemoryMb = parse.GetValue(MemoryMb),
            Sandboxed = !parse.GetValue(UnsafeNoSandbox),
            TestsInSampleProcess = parse.GetValue(TestsInSampleProcess),
        };
        return Validated(() => settings.Validate(PythonRunnerOptions.MaxWorkers));
    }

    /// <summary>
    /// Evaluates in the sandbox (or, when the user asked, without it), with progress, then prints the summary.
    /// The config is validated and the output locked before the sandbox is used; <paramref name="early"/>, when
    /// given, is a runner already starting for these settings, taken instead of starting one.
    /// </summary>
    public async Task<EvaluationSummary> EvaluateAsync(EvaluationConfig config, CancellationToken ct, bool showFiles = true, EarlyRunner? early = null)
    {
        Validated(() => config.Validate(PythonRunnerOptions.MaxWorkers));
        var settings = config.Settings;
        if (!settings.Sandboxed)
            AnsiConsole.MarkupLine("[bold red]WARNING: --unsafe-no-sandbox: generated programs run with your user's rights, files and network.[/]");
        var language = config.Benchmark.Language;
        EvaluationSummary summary;
        try
        {
            summary = await ProgressView.RunAsync(progress =>
                new Evaluator(early is null ? token => ProgramRunners.StartAsync(language, settings, token) : early.TakeAsync, Warn, progress).RunAsync(config, ct));
        }
        catch (ConfigException e) when (e.Field is "shard" or "shards")
        {
            throw ShardFlags.MapToFlag(e);
        }
        SummaryView.Write(summary, showFiles ? OutputPaths.Summary(config.ResolvedOutputPath) : null);
        return summary;
    }

    /// <summary>Warnings go to standard error, one unwrapped line each, so logs stay greppable.</summary>
    public static void Warn(string message) => Console.Error.WriteLine("warning: " + message);

    /// <summary>Parses "1,10,100" into distinct positive integers; an empty item ("1,,10") is an error.</summary>
    public static IReadOnlyList<int> ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) throw new UserInputException($"--k: '{text}' has an empty item (expected e.g. 1,10,100).");
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
                throw new UserInputException($"--k: '{part}' is not a positive integer (expected e.g. 1,10,100).");
            if (!ks.Contains(k)) ks.Add(k);
        }
        return ks;
    }

    private static T Validated<T>(Func<T> validate)
    {
        try
        {
            return validate();
        }
        catch (ConfigException e)
        {
            throw MapToFlag(e);
        }
    }

    private static UserInputException MapToFlag(ConfigException e) =>
        new($"{FlagOfField.GetValueOrDefault(e.Field, e.Field)}: {e.Reason}");
}
