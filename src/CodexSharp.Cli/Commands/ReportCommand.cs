using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Reporting;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp report</c>: the paper's analyses of one or more evaluated runs as an HTML page, its JSON and plots.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var results = new Argument<FileInfo[]>("results") { Description = "Results files (SAMPLES_results.jsonl) with their summary and record beside them; two are compared, runs of one model at several temperatures are plotted against temperature.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for report.html, report.json and plots/ (default: NAME_report beside the first results file)." };
        var problems = new Option<FileInfo?>("--problems") { Description = "The problems file (an APPS folder for apps runs), when the one the evaluation record names is gone (prompts, canonical solutions for BLEU, chain lengths); it is read as the run's benchmark reads it." };
        var ks = new Option<string?>("--k") { Description = "The k of pass@k in the summary tables, comma-separated (default: 1,10,100, those the runs have samples for)." };
        var command = new Command("report", "Write an HTML report of evaluated runs: pass@k curves, failure classes, ranking, BLEU, comparisons, temperature.")
        {
            results, output, problems, ks,
        };
        command.SetAction(parse =>
        {
            var files = parse.GetValue(results)!;
            foreach (var f in files.Where(f => f.Name.StartsWith('-') && !f.Exists))
                throw new UserInputException($"report: unknown option '{f.Name}' (see: report --help).");
            var config = new ReportConfig
            {
                ResultsPaths = files.Select(f => f.FullName).ToList(),
                OutputDirectory = parse.GetValue(output)?.FullName ?? ReportLocation.DefaultFor(files[0].FullName),
                ProblemsPath = parse.GetValue(problems)?.FullName,
                Ks = parse.GetValue(ks) is { } text ? EvaluationFlags.ParseKs(text) : null,
            };
            var outcome = ReportBuilder.Build(config, EvaluationFlags.Warn);
            AnsiConsole.MarkupLineInterpolated($"report: {outcome.HtmlPath}");
            AnsiConsole.MarkupLineInterpolated($"data: {outcome.JsonPath}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The <c>--no-report</c> flag of evaluate and run.</summary>
    public static Option<bool> NoReportOption() => new("--no-report") { Description = "Do not write the HTML report (NAME_report/ beside the results) after evaluating." };

    /// <summary>
    /// Writes the report of a finished evaluation beside its results and says where it is. A report that cannot be
    /// written, for whatever reason, is a warning: the evaluation it describes is done and saved either way. Ctrl-C
    /// while it is drawn ends the command as interrupted (130) at once.
    /// </summary>
    public static async Task WriteAfterEvaluationAsync(string resultsPath, CancellationToken ct)
    {
        try
        {
            var building = Task.Run(() => ReportBuilder.Build(new ReportConfig { ResultsPaths = [resultsPath], OutputDirectory = ReportLocation.DefaultFor(resultsPath) }, _ => { }), CancellationToken.None);
            var outcome = await building.WaitAsync(ct);
            ct.ThrowIfCancellationRequested();
            AnsiConsole.MarkupLineInterpolated($"report: {outcome.HtmlPath}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            EvaluationFlags.Warn($"the report was not written: {e.Message}");
        }
    }
}
