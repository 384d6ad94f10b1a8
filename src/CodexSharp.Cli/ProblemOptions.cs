using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Datasets;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;

namespace CodexSharp.Cli;

/// <summary>The --problems / --dataset pair every command that needs problems shares.</summary>
internal sealed class ProblemOptions
{
    public Option<FileSystemInfo?> Problems { get; } = new("--problems")
    {
        Description = "A local copy of the problems, in the benchmark's layout (HumanEval: JSONL(.gz) with task_id, prompt, canonical_solution, test, entry_point; APPS: a folder of problem folders).",
        CustomParser = r => r.Tokens.Count == 0 ? null : Directory.Exists(r.Tokens[0].Value) ? new DirectoryInfo(r.Tokens[0].Value) : new FileInfo(r.Tokens[0].Value),
    };

    public Option<string?> Dataset { get; } = new("--dataset")
    {
        Description = $"The benchmark: {string.Join(", ", BenchmarkCatalog.All.Select(d => d.Name))} (default: humaneval). Without --problems its published file is downloaded once and checked by SHA-256.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Problems);
        command.Options.Add(Dataset);
    }

    /// <summary>The benchmark the user named (HumanEval by default), before its problems are loaded.</summary>
    public Benchmark BenchmarkOf(ParseResult parse) => parse.GetValue(Dataset) is { } name ? BenchmarkCatalog.Find(name) : BenchmarkCatalog.Default;

    /// <summary>Loads the problems the user named, with their benchmark and the name to record for them.</summary>
    public async Task<LoadedProblems> LoadAsync(ParseResult parse, CancellationToken ct) =>
        await LoadAsync(parse.GetValue(Problems)?.FullName, parse.GetValue(Dataset), ct);

    /// <summary>
    /// The benchmark <paramref name="dataset"/> names (HumanEval when null) and its problems: from
    /// <paramref name="file"/> when given, else its published file from the cache (downloaded once, checked).
    /// </summary>
    public static async Task<LoadedProblems> LoadAsync(string? file, string? dataset, CancellationToken ct)
    {
        var benchmark = dataset is null ? BenchmarkCatalog.Default : BenchmarkCatalog.Find(dataset);
        if (file is not null)
        {
            // A pipe is read once into a temporary copy that lives as long as the command (the problems path is read again).
            var input = await InputCopy.OfAsync(file, ct);
            if (input.IsCopy) AppDomain.CurrentDomain.ProcessExit += (_, _) => input.Dispose();
            return new LoadedProblems(benchmark.Load(input.Path), "file", benchmark);
        }
        var entry = benchmark.Published
            ?? throw new UserInputException($"--dataset {benchmark.Name}: it has no single published file; give a local copy with --problems ({benchmark.LayoutDescription}).");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var cache = DatasetCache.Default(http);
        var path = await cache.GetAsync(entry, new Progress<string>(m => Console.Error.WriteLine(m)), ct);
        return new LoadedProblems(benchmark.Load(path), entry.Name, benchmark);
    }
}

/// <summary>Problems, where they came from (recorded in every output), and the benchmark that reads and judges them.</summary>
internal sealed record LoadedProblems(ProblemSet Problems, string Source, Benchmark Benchmark);
