using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Datasets;
using CodexSharp.Core.Problems;

namespace CodexSharp.Cli;

/// <summary>The --problems / --dataset pair every command that needs problems shares.</summary>
internal sealed class ProblemOptions
{
    public Option<FileInfo?> Problems { get; } = new("--problems")
    {
        Description = "A local problems file, HumanEval JSONL(.gz): task_id, prompt, canonical_solution, test, entry_point.",
    };

    public Option<string?> Dataset { get; } = new("--dataset")
    {
        Description = $"A published data set, downloaded once and checked by SHA-256: {string.Join(", ", DatasetCatalog.All.Select(d => d.Name))} (default: humaneval).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Problems);
        command.Options.Add(Dataset);
    }

    /// <summary>Loads the problems the user named, and the name to record for them.</summary>
    public async Task<(ProblemSet Problems, string Source)> LoadAsync(ParseResult parse, CancellationToken ct)
    {
        var file = parse.GetValue(Problems);
        var dataset = parse.GetValue(Dataset);
        if (file is not null && dataset is not null) throw new UserInputException("give either --problems FILE or --dataset NAME, not both.");
        if (file is not null) return (ProblemSet.Load(file.FullName), "file");
        var entry = DatasetCatalog.Find(dataset ?? "humaneval");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var cache = DatasetCache.Default(http);
        var path = await cache.GetAsync(entry, new Progress<string>(m => Console.Error.WriteLine(m)), ct);
        return (ProblemSet.Load(path), entry.Name);
    }
}
