using System.CommandLine;
using System.Diagnostics;
using CodexSharp.Core;
using System.Text.Json.Nodes;
using CodexSharp.Core.Datasets;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Generation;
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
        var filterWith = new Option<string?>("--filter-with")
        {
            Description = $"Keep a problem only if one of --filter-n samples of this model passes it ({ModelSpec.Forms}).",
        };
        var filterN = new Option<int>("--filter-n") { Description = "Samples per problem for --filter-with (the paper: 100).", DefaultValueFactory = _ => 100 };
        var filterTemperature = new Option<double>("--filter-temperature") { Description = "Sampling temperature for --filter-with.", DefaultValueFactory = _ => 0.8 };
        var filterMaxTokens = new Option<int>("--filter-max-tokens") { Description = "Most new tokens per --filter-with sample.", DefaultValueFactory = _ => 300 };
        var filterSeed = new Option<long>("--filter-seed") { Description = "Seed of the --filter-with samples.", DefaultValueFactory = _ => 0 };
        var command = new Command("functions", "Problems (HumanEval layout) from verified standalone functions: MBPP train/validation and doctest-traced corpus functions.")
        {
            sources, output, benchmarks, noDecontaminate, workers, timeout, filterWith, filterN, filterTemperature, filterMaxTokens, filterSeed,
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
            FilterSettings? filter = null;
            if (parse.GetValue(filterWith) is { } filterModel)
            {
                ModelSpec spec;
                try
                {
                    spec = ModelSpec.Parse(filterModel);
                }
                catch (ConfigException e)
                {
                    throw new UserInputException($"--filter-with: {e.Reason}");
                }
                var n = parse.GetValue(filterN);
                if (n < 1 || n > 10_000) throw new UserInputException($"--filter-n: expected 1 to 10000 samples per problem, got {n}.");
                filter = new FilterSettings(spec, n, parse.GetValue(filterTemperature), parse.GetValue(filterMaxTokens), parse.GetValue(filterSeed));
            }

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
            var options = new FunctionsOptions
            {
                Sources = given, Output = filter is null ? outPath : FunctionsFilter.CandidatesPath(outPath), Timeout = TimeSpan.FromSeconds(seconds),
                IsContaminated = isContaminated, Benchmarks = facts,
            };
            JsonObject manifest;
            await using (var runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = workerCount }, ct))
            {
                manifest = await new FunctionsBuilder(options, runner, progress).BuildAsync(ct);
            }
            if (filter is not null)
            {
                Console.Error.WriteLine($"checked: {manifest["problems"]} problems in {options.Output}");
                var settings = new EvaluationSettings { Workers = workerCount, Timeout = TimeSpan.FromSeconds(seconds), Ks = [1] };
                manifest = await FunctionsFilter.ApplyAsync(options.Output, outPath, filter, settings, ct);
            }
            Console.WriteLine($"wrote {outPath}: {manifest["problems"]} problems ({manifest["by_kind"]!.ToJsonString()}); dropped {manifest["dropped"]!.ToJsonString()}; "
                              + $"manifest {FunctionsBuilder.ManifestPath(outPath)} ({clock.Elapsed.TotalSeconds:F0} s)");
            return ExitCodes.Success;
        });
        return command;
    }
}
