using System.CommandLine;
using CodexSharp.Core.Datasets;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp datasets</c>: list the known data sets, fetch them into the cache, or add a local copy.</summary>
internal static class DatasetsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the data sets --dataset accepts, and whether each is cached.");
        list.SetAction(_ =>
        {
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumns("name", "file", "sha256", "cached", "description");
            var cache = DatasetCache.DefaultDirectory();
            foreach (var d in DatasetCatalog.All)
            {
                var cached = File.Exists(DatasetCache.PathIn(cache, d));
                table.AddRow(d.Name, d.FileName, d.Sha256[..12] + "…", cached ? "yes" : "no", Markup.Escape(d.Description));
            }
            // Benchmarks with no single published file (APPS) are read from a local copy only.
            foreach (var b in Core.Benchmarks.BenchmarkCatalog.All.Where(b => b.Published is null))
                table.AddRow(b.Name, "--problems (local copy)", "–", "–", Markup.Escape(b.Description));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"cache: {cache}");
            return 0;
        });

        var names = new Argument<string[]>("names") { Description = "Data sets to download (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var fetch = new Command("fetch", "Download data sets into the cache and check their SHA-256.") { names };
        fetch.SetAction(async (parse, ct) =>
        {
            var wanted = parse.GetValue(names) is { Length: > 0 } n ? n.Select(DatasetCatalog.Find).ToList() : DatasetCatalog.All.ToList();
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            var cache = DatasetCache.Default(http);
            foreach (var entry in wanted)
                AnsiConsole.MarkupLineInterpolated($"{entry.Name}: {await cache.GetAsync(entry, new Progress<string>(m => Console.Error.WriteLine(m)), ct)}");
            return 0;
        });

        var name = new Argument<string>("name") { Description = "The data set the file is (see `datasets list`)." };
        var file = new Argument<FileInfo>("file") { Description = "A local copy of the published file, e.g. HumanEval.jsonl.gz as downloaded elsewhere." };
        var add = new Command("add", "Put a local copy of a data set into the cache (no network): its SHA-256 must match the catalog; then --dataset NAME works offline.") { name, file };
        add.SetAction(async (parse, ct) =>
        {
            var entry = DatasetCatalog.Find(parse.GetValue(name)!);
            using var http = new HttpClient();
            var path = await DatasetCache.Default(http).AddAsync(entry, parse.GetValue(file)!.FullName, ct);
            AnsiConsole.MarkupLineInterpolated($"{entry.Name}: SHA-256 matches; cached at {path}");
            return 0;
        });

        return new Command("datasets", "The published problem sets: list them, fetch them into the cache, or add a local copy; synth-chains writes synthetic docstring-chain problems.") { list, fetch, add, SynthChainsCommand.Create() };
    }
}
