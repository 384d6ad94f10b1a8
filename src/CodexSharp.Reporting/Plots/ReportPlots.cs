using System.Globalization;
using CodexSharp.Reporting.Analysis;

namespace CodexSharp.Reporting.Plots;

/// <summary>Draws every plot a report has, into <c>DIR/plots/</c>, in the order the page shows them.</summary>
internal static class ReportPlots
{
    public static List<PlotFile> Draw(string output, IReadOnlyList<AnalyzedRun> runs, (AnalyzedRun A, AnalyzedRun B)? compared,
        (TemperatureReport Report, List<AnalyzedRun> Runs)? temperature)
    {
        var plots = new List<PlotFile>();
        var curves = runs.Select(r => Curve(r.Report.Name, r.Report)).ToList();
        plots.Add(PlotFiles.Write(output, "pass-at-k", "pass@k against k", () => Charts.PassAtK(curves)));

        if (compared is { } pair)
        {
            var differences = CrossRunAnalysis.Differences(pair.A, pair.B).Order().ToArray();
            plots.Add(PlotFiles.Write(output, "comparison", "Per-problem pass rate, A − B",
                () => Charts.Differences($"Per-problem pass rate: {pair.A.Report.Name} − {pair.B.Report.Name}", differences)));
        }

        if (temperature is { } sweep)
        {
            var ks = CrossRunAnalysis.HeadlineKs.Where(k => sweep.Report.PassAtK.ContainsKey(RunAnalysis.Key(k))).ToList();
            var temperatures = sweep.Report.Temperatures.ToArray();
            var byK = ks.Select(k => new Series($"pass@{k}", temperatures,
                temperatures.Select(t => sweep.Report.PassAtK[RunAnalysis.Key(k)][CrossRunAnalysis.TemperatureKey(t)]).ToArray())).ToList();
            plots.Add(PlotFiles.Write(output, "temperature", "pass@k against temperature",
                () => Charts.Lines("pass@k against sampling temperature", "temperature", "pass@k", byK, logK: false, bands: false), PlotStyle.HalfWidth, PlotStyle.HalfHeight));
            var perT = sweep.Runs.Select(r => Curve($"T = {CrossRunAnalysis.TemperatureKey(r.Report.Temperature!.Value)}", r.Report)).ToList();
            var envelopeKs = sweep.Report.Envelope.Keys.Select(int.Parse).Order().ToArray();
            perT.Add(new Series("best temperature", envelopeKs.Select(k => (double)k).ToArray(),
                envelopeKs.Select(k => sweep.Report.Envelope[RunAnalysis.Key(k)].Value).ToArray()));
            plots.Add(PlotFiles.Write(output, "temperature-envelope", "pass@k against k at each temperature",
                () => Charts.Lines("pass@k at each temperature", "k (log scale)", "pass@k", perT, logK: true, bands: false), PlotStyle.HalfWidth, PlotStyle.HalfHeight));
        }

        for (var i = 0; i < runs.Count; i++)
            plots.AddRange(RunPlots(output, runs[i], i + 1));
        return plots;
    }

    private static IEnumerable<PlotFile> RunPlots(string output, AnalyzedRun run, int number)
    {
        var report = run.Report;
        var suffix = number.ToString(CultureInfo.InvariantCulture);
        var failures = FailureClasses.Failures.Select(c => (c, report.FailureClasses[c])).ToList();
        yield return PlotFiles.Write(output, $"failures-{suffix}", "Failure classes",
            () => Charts.ClassBars($"{report.Samples - report.Passed:#,0} failed samples by class", failures), PlotStyle.HalfWidth, PlotStyle.HalfHeight);

        var classes = new[] { FailureClasses.Passed }.Concat(FailureClasses.Failures).ToList();
        var shares = report.ProblemRows.Select(r => (IReadOnlyList<double>)classes
            .Select(c => (c == FailureClasses.Passed ? r.Passed : r.Failures[c]) / (double)r.N).ToList()).ToList();
        yield return PlotFiles.Write(output, $"problems-{suffix}", "Outcomes per problem",
            () => Charts.ProblemOutcomes($"Outcomes per problem ({report.Problems} problems)", classes, shares));

        var methods = report.Ranking.Select(m => new Series(m.Key,
            m.Value.Keys.Select(k => double.Parse(k, CultureInfo.InvariantCulture)).ToArray(), m.Value.Values.ToArray())).ToList();
        yield return PlotFiles.Write(output, $"ranking-{suffix}", "Ranked pass@1", () => Charts.Ranking(methods));

        if (report.Bleu is { } bleu)
        {
            yield return PlotFiles.Write(output, $"bleu-{suffix}", "BLEU of passing and failing samples",
                () => Charts.BleuHistogram("BLEU-4, all problems", bleu.BinEdges.ToArray(),
                    bleu.Passing.Histogram.ToArray(), bleu.Failing.Histogram.ToArray(), bleu.Passing.Count, bleu.Failing.Count), PlotStyle.HalfWidth, PlotStyle.HalfHeight);
            var both = report.ProblemRows.Where(r => r.BleuPassing is not null && r.BleuFailing is not null).ToList();
            yield return PlotFiles.Write(output, $"bleu-problems-{suffix}", "BLEU per problem",
                () => Charts.BleuPerProblem($"BLEU per problem ({both.Count} with both kinds)",
                    both.Select(r => r.BleuFailing!.Value).ToArray(), both.Select(r => r.BleuPassing!.Value).ToArray()), PlotStyle.HalfWidth, PlotStyle.HalfHeight);
        }

        if (report.Chains is { } chains)
        {
            var lengths = chains.Keys.Select(k => double.Parse(k, CultureInfo.InvariantCulture)).ToArray();
            var series = new Series("pass rate", lengths, chains.Values.Select(c => c.PassRate).ToArray(),
                chains.Values.Select(c => c.Ci95.Low).ToArray(), chains.Values.Select(c => c.Ci95.High).ToArray());
            yield return PlotFiles.Write(output, $"chains-{suffix}", "Pass rate against chain length",
                () => Charts.Lines("Pass rate against chain length", "building blocks chained", "pass rate (pass@1)", [series], logK: false, bands: true), PlotStyle.HalfWidth, PlotStyle.HalfHeight);
        }
    }

    private static Series Curve(string label, RunReport report)
    {
        var ks = report.PassAtK.Keys.Select(k => double.Parse(k, CultureInfo.InvariantCulture)).ToArray();
        return new Series(label, ks, report.PassAtK.Values.Select(e => e.Value).ToArray(),
            report.PassAtK.Values.Select(e => e.Ci95.Low).ToArray(), report.PassAtK.Values.Select(e => e.Ci95.High).ToArray());
    }
}
