using CodexSharp.Reporting.Analysis;
using CodexSharp.Reporting.Plots;

namespace CodexSharp.Reporting.Html;

/// <summary>
/// The report as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched. A summary comes
/// first, then the cross-run sections (comparison, temperature), then one section per run.
/// </summary>
internal static class ReportPage
{
    public static string Render(ReportDocument document, IReadOnlyList<AnalyzedRun> runs, IReadOnlyList<PlotFile> plots, IReadOnlyList<int> ks)
    {
        var svg = plots.ToDictionary(p => p.Name, p => p.InlineSvg, StringComparer.Ordinal);
        var title = runs.Count == 1 ? runs[0].Report.Name : string.Join(" vs ", runs.Select(r => r.Report.Name));
        var h = new HtmlWriter();
        h.Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Raw("<title>").Text($"Evaluation report: {title}").Raw("</title>\n<style>").Raw(PageStyle.Css).Raw("</style>\n</head>\n<body>\n<main>\n");
        h.Raw("<header><h1>Evaluation report</h1><p class=\"subtitle\">").Text(title).Raw("</p><p class=\"meta\">")
            .Text($"codexsharp {document.Version} · {document.CreatedUtc:yyyy-MM-dd HH:mm} UTC · {runs.Count} results file{(runs.Count == 1 ? "" : "s")}")
            .Raw("</p></header>\n");
        Summary(h, document, runs, ks);
        h.Raw("<section id=\"pass-at-k\"><h2>pass@k</h2>");
        Figure(h, svg["pass-at-k"], "The unbiased estimator of pass@k (Chen et al. 2021, Eq. 1) for k = 1 to the samples per problem; the band is the 95% bootstrap interval over problems.");
        h.Raw("</section>\n");
        if (document.Comparison is { } comparison) Comparison(h, comparison, svg["comparison"]);
        if (document.Temperature is { } temperature) Temperature(h, temperature, svg);
        for (var i = 0; i < runs.Count; i++) RunSection.Write(h, runs[i], i, svg);
        Methods(h);
        h.Raw("</main>\n</body>\n</html>\n");
        return h.ToString();
    }

    /// <summary>"pass@k" with k filled in, keeping the benchmark's words: "raw pass@k" → "raw pass@10", "base+plus" → "base+plus pass@10".</summary>
    private static string ColumnLabel(string column, int k) =>
        column.Contains("pass@k", StringComparison.Ordinal) ? column.Replace("pass@k", $"pass@{k}", StringComparison.Ordinal) : $"{column} pass@{k}";

    /// <summary>The pass@k tables a benchmark reports beside the main one (APPS's filtered pass@k), as evaluate computed them.</summary>
    private static void OtherColumns(HtmlWriter h, IReadOnlyList<AnalyzedRun> runs, IReadOnlyList<int> ks)
    {
        if (runs.All(r => r.Report.PassAtKBy is null)) return;
        h.Raw("<h3>pass@k tables of the benchmark</h3><p>Besides the main table, the benchmark reports these (from each run's summary); "
            + "APPS's <i>filtered pass@k</i> submits up to k of the samples that pass the statement's examples (Codex paper §3.6).</p>");
        h.Raw("<table class=\"runs\"><thead><tr><th>run</th><th>table</th>");
        foreach (var k in ks) h.Raw($"<th class=\"r\">k = {k} (95% CI)</th>");
        h.Raw("</tr></thead><tbody>");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i].Report;
            if (r.PassAtKBy is null) continue;
            var tables = new List<(string Column, IReadOnlyDictionary<string, Estimate> Values, object[] Pointer)> { (r.MainColumn, r.PassAtK, ["runs", i, "pass_at_k"]) };
            tables.AddRange(r.PassAtKBy.Select(c => (c.Key, c.Value, new object[] { "runs", i, "pass_at_k_by", c.Key })));
            foreach (var (column, values, pointer) in tables)
            {
                h.Raw($"<tr><td><a href=\"#run-{i + 1}\">").Text(r.Name).Raw("</a></td><td>").Text(column).Raw("</td>");
                foreach (var k in ks)
                {
                    h.Raw("<td class=\"r\">");
                    if (values.TryGetValue(RunAnalysis.Key(k), out var e)) h.Interval(e.Value, e.Ci95.Low, e.Ci95.High, [.. pointer, RunAnalysis.Key(k)]);
                    else h.Raw("<span class=\"na\">—</span>");
                    h.Raw("</td>");
                }
                h.Raw("</tr>");
            }
        }
        h.Raw("</tbody></table>\n");
    }

    private static void Summary(HtmlWriter h, ReportDocument document, IReadOnlyList<AnalyzedRun> runs, IReadOnlyList<int> ks)
    {
        h.Raw("<section id=\"summary\"><h2>Summary</h2>\n");
        var first = runs[0].Report;
        h.Raw("<div class=\"cards\">");
        foreach (var k in ks.Where(k => first.PassAtK.ContainsKey(RunAnalysis.Key(k))))
        {
            var e = first.PassAtK[RunAnalysis.Key(k)];
            h.Raw("<div class=\"card\"><div class=\"label\">").Text(ColumnLabel(first.MainColumn, k)).Raw("</div><div class=\"big\">")
                .Number(e.Value, NumberFormat.Percent, "runs", 0, "pass_at_k", RunAnalysis.Key(k), "value")
                .Raw("</div><div class=\"small\">95% CI ")
                .Number(e.Ci95.Low, NumberFormat.Percent, "runs", 0, "pass_at_k", RunAnalysis.Key(k), "ci95", "low").Raw(" – ")
                .Number(e.Ci95.High, NumberFormat.Percent, "runs", 0, "pass_at_k", RunAnalysis.Key(k), "ci95", "high").Raw("</div></div>");
        }
        h.Raw("<div class=\"card\"><div class=\"label\">samples passed</div><div class=\"big\">")
            .Number(first.Passed, NumberFormat.Count, "runs", 0, "passed").Raw("</div><div class=\"small\">of ")
            .Number(first.Samples, NumberFormat.Count, "runs", 0, "samples").Raw(" on ")
            .Number(first.Problems, NumberFormat.Count, "runs", 0, "problems").Raw(" problems</div></div>");
        h.Raw("</div>\n");

        h.Raw("<table class=\"runs\"><thead><tr><th>run</th><th>model</th><th>T</th><th class=\"r\">problems</th><th class=\"r\">samples / problem</th>");
        foreach (var k in ks) h.Raw("<th class=\"r\">").Text(ColumnLabel(first.MainColumn, k)).Raw(" (95% CI)</th>");
        h.Raw("</tr></thead><tbody>");
        for (var i = 0; i < runs.Count; i++)
        {
            var r = runs[i].Report;
            h.Raw($"<tr><td><a href=\"#run-{i + 1}\">").Text(r.Name).Raw("</a></td><td>").Text(r.Model ?? "—").Raw("</td><td>");
            if (r.Temperature is { } t) h.Number(t, NumberFormat.Decimal2, "runs", i, "temperature"); else h.Raw("—");
            h.Raw("</td><td class=\"r\">").Number(r.Problems, NumberFormat.Count, "runs", i, "problems").Raw("</td><td class=\"r\">")
                .Number(r.MinSamplesPerProblem, NumberFormat.Count, "runs", i, "min_samples_per_problem").Raw("</td>");
            foreach (var k in ks)
            {
                h.Raw("<td class=\"r\">");
                if (r.PassAtK.TryGetValue(RunAnalysis.Key(k), out var e)) h.Interval(e.Value, e.Ci95.Low, e.Ci95.High, "runs", i, "pass_at_k", RunAnalysis.Key(k));
                else h.Raw($"<span class=\"na\" title=\"needs at least {k} samples per problem\">n &lt; {k}</span>");
                h.Raw("</td>");
            }
            h.Raw("</tr>");
        }
        h.Raw("</tbody></table>\n");
        OtherColumns(h, runs, ks);
        if (document.Warnings.Count > 0)
        {
            h.Raw("<div class=\"warnings\"><strong>Not everything could be drawn or checked:</strong><ul>");
            foreach (var w in document.Warnings) h.Raw("<li>").Text(w).Raw("</li>");
            h.Raw("</ul></div>\n");
        }
        h.Raw("</section>\n");
    }

    private static void Comparison(HtmlWriter h, ComparisonReport c, string svg)
    {
        h.Raw("<section id=\"comparison\"><h2>A against B</h2><p>A = <b>").Text(c.A).Raw("</b>, B = <b>").Text(c.B).Raw("</b>, on the same ")
            .Number(c.Problems, NumberFormat.Count, "comparison", "problems")
            .Raw(" problems. The interval is a paired bootstrap over problems (10,000 resamples): when it excludes 0, the difference is unlikely to come from which problems happen to be in the benchmark.</p>");
        h.Raw("<table><thead><tr><th>metric</th><th class=\"r\">A</th><th class=\"r\">B</th><th class=\"r\">A − B</th><th class=\"r\">95% CI of A − B</th><th class=\"r\">resamples with A ≤ B</th></tr></thead><tbody>");
        foreach (var (k, v) in c.PassAtK)
        {
            h.Raw($"<tr><td>pass@{k}</td><td class=\"r\">").Number(v.A, NumberFormat.Percent, "comparison", "pass_at_k", k, "a")
                .Raw("</td><td class=\"r\">").Number(v.B, NumberFormat.Percent, "comparison", "pass_at_k", k, "b")
                .Raw("</td><td class=\"r\"><b>").Number(v.Difference, NumberFormat.SignedPercent, "comparison", "pass_at_k", k, "difference")
                .Raw("</b></td><td class=\"r\">").Number(v.Ci95.Low, NumberFormat.SignedPercent, "comparison", "pass_at_k", k, "ci95", "low").Raw(" to ")
                .Number(v.Ci95.High, NumberFormat.SignedPercent, "comparison", "pass_at_k", k, "ci95", "high")
                .Raw("</td><td class=\"r\">").Number(v.ShareAtOrBelowZero, NumberFormat.Percent, "comparison", "pass_at_k", k, "share_at_or_below_zero").Raw("</td></tr>");
        }
        h.Raw("</tbody></table><p>Per problem (pass rate): A is better on ").Number(c.Won, NumberFormat.Count, "comparison", "won")
            .Raw(", worse on ").Number(c.Lost, NumberFormat.Count, "comparison", "lost")
            .Raw(", equal on ").Number(c.Tied, NumberFormat.Count, "comparison", "tied").Raw(".</p>");
        TaskList(h, "Problems A wins", c.WonTasks);
        TaskList(h, "Problems A loses", c.LostTasks);
        Figure(h, svg, "Each bar is one problem: A's pass rate minus B's, sorted.");
        h.Raw("</section>\n");
    }

    private static void TaskList(HtmlWriter h, string label, IReadOnlyList<string> tasks)
    {
        if (tasks.Count == 0) return;
        h.Raw("<details class=\"tasks\"><summary>").Text($"{label} ({tasks.Count})").Raw("</summary><p>").Text(string.Join(", ", tasks)).Raw("</p></details>");
    }

    private static void Temperature(HtmlWriter h, TemperatureReport t, IReadOnlyDictionary<string, string> svg)
    {
        h.Raw("<section id=\"temperature\"><h2>Sampling temperature</h2><p>Runs of <b>").Text(t.Model)
            .Raw("</b> at different temperatures (read from each samples file's generation record). Larger k favours higher temperatures: more varied samples, and only one has to be right.</p>");
        var ks = CrossRunAnalysis.HeadlineKs.Where(k => t.PassAtK.ContainsKey(RunAnalysis.Key(k))).ToList();
        h.Raw("<table><thead><tr><th>temperature</th>");
        foreach (var k in ks) h.Raw($"<th class=\"r\">pass@{k}</th>");
        h.Raw("</tr></thead><tbody>");
        foreach (var temperature in t.Temperatures)
        {
            var key = CrossRunAnalysis.TemperatureKey(temperature);
            h.Raw("<tr><td>").Text(key).Raw("</td>");
            foreach (var k in ks) h.Raw("<td class=\"r\">").Number(t.PassAtK[RunAnalysis.Key(k)][key], NumberFormat.Percent, "temperature", "pass_at_k", RunAnalysis.Key(k), key).Raw("</td>");
            h.Raw("</tr>");
        }
        h.Raw("<tr class=\"best\"><td>best</td>");
        foreach (var k in ks)
        {
            var e = t.Envelope[RunAnalysis.Key(k)];
            h.Raw("<td class=\"r\">").Number(e.Value, NumberFormat.Percent, "temperature", "envelope", RunAnalysis.Key(k), "value")
                .Raw(" at T = ").Number(e.Temperature, NumberFormat.Decimal2, "temperature", "envelope", RunAnalysis.Key(k), "temperature").Raw("</td>");
        }
        h.Raw("</tr></tbody></table><div class=\"grid2\">");
        Figure(h, svg["temperature"], "pass@k at each temperature (Fig. 6 of the paper).");
        Figure(h, svg["temperature-envelope"], "pass@k against k at each temperature; the black line takes the best temperature for each k (Fig. 5).");
        h.Raw("</div></section>\n");
    }

    public static void Figure(HtmlWriter h, string svg, string caption) =>
        h.Raw("<figure>").Raw(svg).Raw("<figcaption>").Text(caption).Raw("</figcaption></figure>\n");

    private static void Methods(HtmlWriter h) => h.Raw("""
        <section id="methods"><h2>How the numbers are made</h2><ul>
        <li><b>pass@k</b>: per problem with n samples of which c pass, 1 − C(n−c, k)/C(n, k), averaged over problems; the interval is a percentile bootstrap over problems (10,000 resamples).</li>
        <li><b>Ranked pass@1</b>: the probability that, of k samples drawn at random, the one with the highest score passes; computed exactly over all size-k subsets (ties broken uniformly at random). <i>random</i> ranks nothing, <i>oracle</i> picks a passing sample whenever one was drawn (= pass@k); <i>mean_logprob</i> and <i>sum_logprob</i> rank by the sample's mean or total token log-probability, <i>backtranslation</i> by log P(docstring | sample). A sample without the score (an empty completion has no mean log-probability) ranks below every scored one.</li>
        <li><b>Failure classes</b> are read from the verdict text, which keeps Python's exception message but not its type: syntax, name and type errors by Python's wording; an empty message or one written in the problem's test is an assertion; a program ended by a signal was killed.</li>
        <li><b>BLEU</b>: sentence BLEU-4 of each sample against the canonical solution, on code tokens (identifiers, numbers, single symbols), with smoothing method 1 of Chen &amp; Cherry (2014): an n-gram order with no match counts 0.1 matches.</li>
        <li>Every number on this page is in <code>report.json</code> beside it, at the JSON Pointer in its <code>data-key</code> attribute; the plots are in <code>plots/</code> as SVG and PNG.</li>
        </ul></section>

        """);
}
