using System.CommandLine;
using CodexSharp.Core.Datasets;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp datasets</c>: list the known data sets, or fetch them into the cache.</summary>
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
                var cached = File.Exists(Path.Combine(cache, d.Sha256[..12], d.FileName));
                table.AddRow(d.Name, d.FileName, d.Sha256[..12] + "…", cached ? "yes" : "no", Markup.Escape(d.Description));
            }
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

        return new Command("datasets", "The published problem sets: list them, or fetch them into the cache.") { list, fetch };
    }
}
