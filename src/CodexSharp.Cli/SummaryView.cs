using CodexSharp.Core.Evaluation;
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
        table.AddColumn(new TableColumn("estimate").RightAligned());
        table.AddColumn(new TableColumn("95% CI (bootstrap over problems)").RightAligned());
        foreach (var (name, estimate) in summary.PassAtK)
            table.AddRow(name, $"{estimate.Value * 100:0.00}%", $"{estimate.Ci95.Low * 100:0.00}% – {estimate.Ci95.High * 100:0.00}%");
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
        AnsiConsole.MarkupLine($"time: {summary.DurationSeconds:0.0} s ({summary.SamplesPerSecond:0.0} samples/s)");
        if (summaryPath is null) return;
        AnsiConsole.MarkupLineInterpolated($"results: {summary.ResultsPath}");
        AnsiConsole.MarkupLineInterpolated($"summary: {summaryPath}");
        AnsiConsole.MarkupLineInterpolated($"record: {Core.Io.OutputPaths.Config(summary.ResultsPath)}");
    }
}
