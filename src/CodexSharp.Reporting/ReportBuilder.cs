using System.Text.Json;
using System.Text.Json.Serialization;
using CodexSharp.Core;
using CodexSharp.Core.Io;
using CodexSharp.Reporting.Analysis;
using CodexSharp.Reporting.Html;
using CodexSharp.Reporting.Loading;
using CodexSharp.Reporting.Plots;

namespace CodexSharp.Reporting;

/// <summary>What <c>report</c> is asked to do.</summary>
public sealed record ReportConfig
{
    /// <summary>Results files (<c>*_results.jsonl</c>), each with its summary and record beside it.</summary>
    public required IReadOnlyList<string> ResultsPaths { get; init; }

    /// <summary>The folder that receives report.html, report.json and plots/.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The problems file, when the evaluation record's is gone or should be overridden (default: the record's).</summary>
    public string? ProblemsPath { get; init; }

    /// <summary>
    /// The k of the headline tables, as asked for: a k above some run's samples per problem is named in a warning.
    /// Null: 1, 10 and 100, each where the runs have that many samples per problem.
    /// </summary>
    public IReadOnlyList<int>? Ks { get; init; }
}

/// <summary>Where a report was written, and what could not be drawn.</summary>
public sealed record ReportOutcome(string HtmlPath, string JsonPath, ReportDocument Document);

/// <summary>Builds the report: loads and analyses each run, compares them, draws the plots, writes the page and its JSON.</summary>
public static class ReportBuilder
{
    /// <summary>How report.json is written: snake_case names, dictionary keys as they are, NaN allowed.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <exception cref="UserInputException">No results file was given, or one cannot be read as results.</exception>
    public static ReportOutcome Build(ReportConfig config, Action<string> warn)
    {
        var folder = Path.GetFullPath(config.OutputDirectory);
        if (FileKind.Of(folder) is not (FileKindValue.Missing or FileKindValue.Directory))
            throw new UserInputException($"{folder}: is a file; the report is a folder (report.html, report.json, plots/): give another --out.");
        if (config.ResultsPaths.Count == 0) throw new UserInputException("report: give at least one results file (SAMPLES_results.jsonl).");
        var warnings = new List<string>();
        void Warn(string message)
        {
            warnings.Add(message);
            warn(message);
        }
        var runs = config.ResultsPaths.Select(p => RunAnalysis.Analyze(EvaluatedRun.Load(p, config.ProblemsPath, Warn), Warn)).ToList();
        Disambiguate(runs);
        var most = runs.Max(r => r.Report.MinSamplesPerProblem);
        var ks = config.Ks ?? CrossRunAnalysis.HeadlineKs.Where(k => k <= most).ToList();
        foreach (var run in runs.Where(_ => config.Ks is not null))
        {
            var tooLarge = ks.Where(k => k > run.Report.MinSamplesPerProblem).ToList();
            if (tooLarge.Count > 0)
                Warn($"{run.Report.Name}: pass@{string.Join(", pass@", tooLarge)} cannot be estimated: it needs at least that many samples per problem, and this run has n = {run.Report.MinSamplesPerProblem}; the curves stop at k = {run.Report.MinSamplesPerProblem}.");
        }
        var comparison = runs.Count == 2 ? CrossRunAnalysis.Compare(runs[0], runs[1], ks, Warn) : null;
        var temperature = CrossRunAnalysis.Temperatures(runs, Warn);

        var output = Path.GetFullPath(config.OutputDirectory);
        OutputFiles.Guard(output, () => Directory.CreateDirectory(output));
        var plots = ReportPlots.Draw(output, runs, comparison is null ? null : (runs[0], runs[1]), temperature);
        var document = new ReportDocument
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            Runs = runs.Select(r => r.Report).ToList(),
            Ranking = runs[0].Report.Ranking,
            Comparison = comparison,
            Temperature = temperature?.Report,
            Warnings = warnings,
            Plots = plots.ToDictionary(p => p.Name, p => new PlotPaths(p.Title, Relative(output, p.SvgPath), Relative(output, p.PngPath)), StringComparer.Ordinal),
        };
        var jsonPath = Path.Combine(output, "report.json");
        var htmlPath = Path.Combine(output, "report.html");
        AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(document, Json) + "\n");
        AtomicFile.WriteAllText(htmlPath, ReportPage.Render(document, runs, plots, ks));
        return new ReportOutcome(htmlPath, jsonPath, document);
    }

    /// <summary>Two runs with the same file name (from different folders) get their folder's name too.</summary>
    private static void Disambiguate(List<AnalyzedRun> runs)
    {
        var repeated = runs.GroupBy(r => r.Report.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        for (var i = 0; i < runs.Count; i++)
        {
            if (!repeated.Contains(runs[i].Report.Name)) continue;
            var folder = Path.GetFileName(Path.GetDirectoryName(runs[i].Report.ResultsPath)) ?? "";
            runs[i] = runs[i] with { Report = runs[i].Report with { Name = $"{folder}/{runs[i].Report.Name} (#{i + 1})" } };
        }
    }

    private static string Relative(string folder, string path) => Path.GetRelativePath(folder, path).Replace('\\', '/');
}
