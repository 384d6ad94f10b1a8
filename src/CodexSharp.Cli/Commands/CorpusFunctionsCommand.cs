using System.CommandLine;
using System.Diagnostics;
using CodexSharp.Core;
using CodexSharp.Core.Datasets;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Execution;
using CodexSharp.Training.Corpus;
using CodexSharp.Training.Functions;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// <c>codexsharp corpus functions</c>: supervised problems (HumanEval layout) from MBPP's train and validation
/// splits and from doctest-carrying functions of a Python corpus, each reference checked twice in the sandbox.
/// </summary>
internal static class CorpusFunctionsCommand
{
    public static Command Create()
    {
        var sources = new Argument<string[]>("SRC")
        {
            Description = "MBPP's mbpp.jsonl(.gz) (train and validation splits are used, never test) and folders of Python source (functions with doctests).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out") { Description = "The problems file to write (HumanEval JSONL); FILE.manifest.json goes beside it.", Required = true };
        var benchmarks = new Option<string[]>("--benchmark")
        {
            Description = "A benchmark file to decontaminate against (repeatable). Default: the catalog's data sets in the dataset cache.",
            Arity = ArgumentArity.OneOrMore,
        };
        var noDecontaminate = new Option<bool>("--no-decontaminate") { Description = "Keep problems that hold benchmark text." };
        var workers = new Option<int>("--workers") { Description = "Sandboxed Python workers.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var timeout = new Option<double>("--timeout") { Description = "Seconds each check may run.", DefaultValueFactory = _ => 3.0 };
        var command = new Command("functions", "Problems (HumanEval layout) from verified standalone functions: MBPP train/validation and doctest-traced corpus functions.")
        {
            sources, output, benchmarks, noDecontaminate, workers, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            var given = parse.GetValue(sources)!;
            OutputFiles.CheckOutput(outPath, [.. given.Select(s => (Path.GetFullPath(s), "source"))]);
            var workerCount = parse.GetValue(workers);
            if (workerCount < 1 || workerCount > PythonRunnerOptions.MaxWorkers)
                throw new UserInputException($"--workers: expected 1 to {PythonRunnerOptions.MaxWorkers}, got {workerCount}.");
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0 && seconds <= 60)) throw new UserInputException($"--timeout: expected more than 0 and at most 60 seconds, got {seconds}.");

            Func<string, bool>? isContaminated = null;
            System.Text.Json.Nodes.JsonArray? facts = null;
            if (!parse.GetValue(noDecontaminate))
            {
                var files = parse.GetValue(benchmarks) is { Length: > 0 } named ? named : [.. CorpusBuilder.CachedBenchmarks(DatasetCache.DefaultDirectory())];
                if (files.Length == 0)
                {
                    throw new UserInputException("no benchmark files to decontaminate against: pass --benchmark FILE for each of HumanEval, HumanEval+, MBPP, MBPP+ you have, "
                                                 + "or --no-decontaminate.");
                }
                (isContaminated, facts) = FunctionsDecontamination.Create(files);
            }

            var clock = Stopwatch.StartNew();
            var throttle = new ProgressThrottle(ProgressThrottle.PlainLineInterval);
            var progress = new Progress<FunctionsProgress>(p =>
            {
                if (throttle.ShouldReport(p.Done == p.Total)) Console.Error.WriteLine($"{p.Phase}: {p.Done:N0}/{p.Total:N0} references run twice, {p.Kept:N0} kept ({clock.Elapsed.TotalSeconds:F0} s)");
            });
            await using var runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = workerCount }, ct);
            var options = new FunctionsOptions
            {
                Sources = given, Output = outPath, Timeout = TimeSpan.FromSeconds(seconds), IsContaminated = isContaminated, Benchmarks = facts,
            };
            var manifest = await new FunctionsBuilder(options, runner, progress).BuildAsync(ct);
            Console.WriteLine($"wrote {outPath}: {manifest["problems"]} problems ({manifest["by_kind"]!.ToJsonString()}); dropped {manifest["dropped"]!.ToJsonString()}; "
                              + $"manifest {FunctionsBuilder.ManifestPath(outPath)} ({clock.Elapsed.TotalSeconds:F0} s)");
            return ExitCodes.Success;
        });
        return command;
    }
}
