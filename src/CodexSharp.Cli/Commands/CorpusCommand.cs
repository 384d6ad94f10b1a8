using System.CommandLine;
using System.Diagnostics;
using CodexSharp.Core;
using CodexSharp.Core.Datasets;
using CodexSharp.Training.Corpus;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp corpus build</c>: a filtered, decontaminated, tokenized Python corpus for training.</summary>
internal static class CorpusCommand
{
    public static Command Create()
    {
        var sources = new Argument<string[]>("SRC")
        {
            Description = "Folders (walked for *.py), .py files, .deb packages, or tar archives (.tar, .tar.gz, .tar.xz, .tar.zst).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = new Option<string>("--out") { Description = "The corpus folder to write: train.bin, val.bin, corpus.json.", Required = true };
        var valFraction = new Option<double>("--val-fraction") { Description = "Fraction of files that go to val.bin.", DefaultValueFactory = _ => 0.005 };
        var seed = new Option<long>("--seed") { Description = "Seed of the per-file train/val choice.", DefaultValueFactory = _ => 0 };
        var benchmarks = new Option<string[]>("--benchmark")
        {
            Description = "A benchmark file to decontaminate against (repeatable): HumanEval-format or MBPP JSONL(.gz). "
                          + "Default: the catalog's data sets in the dataset cache.",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var noDecontaminate = new Option<bool>("--no-decontaminate") { Description = "Keep files that hold benchmark text (not for models you evaluate)." };
        var threads = new Option<int>("--threads") { Description = "Workers that filter and tokenize.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var force = new Option<bool>("--force") { Description = "Replace a corpus already in --out." };
        var build = new Command("build", "Filter, decontaminate and tokenize Python files into train.bin/val.bin (uint16 p50k_base ids) and corpus.json.")
        {
            sources, output, valFraction, seed, benchmarks, noDecontaminate, threads, force,
        };
        build.SetAction(async (parse, ct) =>
        {
            var decontaminate = !parse.GetValue(noDecontaminate);
            var given = parse.GetValue(benchmarks) ?? [];
            if (decontaminate && given.Length == 0)
            {
                var cache = DatasetCache.DefaultDirectory();
                given = [.. CorpusBuilder.CachedBenchmarks(cache)];
                if (given.Length == 0)
                {
                    throw new UserInputException(
                        $"no benchmark files to decontaminate against: none of the catalog's data sets ({string.Join(", ", DatasetCatalog.All.Select(d => d.Name))}) is in the cache ({cache}). "
                        + "Pass --benchmark FILE for each of HumanEval, HumanEval+, MBPP, MBPP+ you have (or `codexsharp datasets fetch`), or --no-decontaminate.");
                }
            }
            var config = new CorpusConfig
            {
                Sources = parse.GetValue(sources) ?? [],
                OutputDirectory = parse.GetValue(output)!,
                ValFraction = parse.GetValue(valFraction),
                Seed = parse.GetValue(seed),
                Benchmarks = given,
                Decontaminate = decontaminate,
                Force = parse.GetValue(force),
                Threads = parse.GetValue(threads),
            };
            config.Validate();
            var clock = Stopwatch.StartNew();
            CorpusManifest manifest;
            try
            {
                manifest = await WithProgressAsync(progress => Task.Run(() => CorpusBuilder.Build(config, progress, ct), ct));
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("interrupted: no corpus was written (a corpus is only complete with its corpus.json); run the command again to build it.");
                return ExitCodes.Interrupted;
            }
            Print(manifest, Path.GetFullPath(config.OutputDirectory), clock.Elapsed);
            return ExitCodes.Success;
        });
        return new Command("corpus", "Training data: a filtered Python corpus, and problems from verified functions.") { build, CorpusFunctionsCommand.Create() };
    }

    private static async Task<T> WithProgressAsync<T>(Func<IProgress<CorpusProgress>, Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
        {
            var throttle = new ProgressThrottle(ProgressThrottle.PlainLineInterval);
            return await work(new Progress<CorpusProgress>(p =>
            {
                if (throttle.ShouldReport()) Console.Error.WriteLine(Line(p, clock.Elapsed));
            }));
        }
        var result = default(T)!;
        await AnsiConsole.Status().StartAsync("reading sources", async context =>
        {
            var throttle = new ProgressThrottle(TimeSpan.FromMilliseconds(200));
            result = await work(new Progress<CorpusProgress>(p =>
            {
                if (throttle.ShouldReport()) context.Status(Markup.Escape(Line(p, clock.Elapsed)));
            }));
        });
        return result;
    }

    private static string Line(CorpusProgress p, TimeSpan elapsed) =>
        $"{p.FilesSeen:N0} files, {p.BytesSeen / 1e6:F1} MB read ({p.BytesSeen / 1e6 / Math.Max(elapsed.TotalSeconds, 1e-3):F1} MB/s): "
        + $"{p.FilesKept:N0} kept, {p.FilesDropped:N0} dropped, {p.Tokens:N0} tokens; reading {Path.GetFileName(p.Source)}";

    private static void Print(CorpusManifest m, string output, TimeSpan elapsed)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "files", "MB", "tokens");
        table.AddRow("read", $"{m.FilesSeen:N0}", $"{m.BytesSeen / 1e6:F1}", "");
        foreach (var (reason, count) in m.Dropped) table.AddRow($"dropped: {reason}", $"{count:N0}", "", "");
        table.AddRow("train.bin", $"{m.Train.Files:N0}", $"{m.Train.Bytes / 1e6:F1}", $"{m.Train.Tokens:N0}");
        table.AddRow("val.bin", $"{m.Validation.Files:N0}", $"{m.Validation.Bytes / 1e6:F1}", $"{m.Validation.Tokens:N0}");
        AnsiConsole.Write(table);
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        AnsiConsole.WriteLine($"wrote {output} ({m.Tokenizer}) in {seconds:F1} s: {m.FilesSeen / seconds:F0} files/s, {m.BytesSeen / 1e6 / seconds:F2} MB/s; "
                              + $"decontaminated against {(m.Decontamination.Enabled ? string.Join(", ", m.Decontamination.Benchmarks.Select(b => b.Name)) : "nothing (--no-decontaminate)")}");
    }
}
