using CodexSharp.Reporting.Analysis;

namespace CodexSharp.Reporting.Html;

/// <summary>One run's part of the page: failure classes, ranking, BLEU, chain lengths, and every problem.</summary>
internal static class RunSection
{
    /// <summary>The k at which the ranking table is shown.</summary>
    private static readonly int[] RankingKs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

    public static void Write(HtmlWriter h, AnalyzedRun run, int index, IReadOnlyDictionary<string, string> svg)
    {
        var r = run.Report;
        var n = (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        h.Raw($"<section id=\"run-{n}\" class=\"run\"><h2>").Text($"Run {n}: {r.Name}").Raw("</h2><p class=\"meta\">").Text(r.ResultsPath)
            .Raw(r.Model is null ? "" : " · model ").Text(r.Model).Raw(" · benchmark ").Text(r.Benchmark).Raw("</p>\n");

        h.Raw("<h3>Why samples failed</h3><div class=\"grid2\">");
        ReportPage.Figure(h, svg[$"failures-{n}"], "Failed samples by class (read from the verdict text; see the notes at the end).");
        h.Raw("<table><thead><tr><th>class</th><th class=\"r\">samples</th></tr></thead><tbody>");
        h.Raw("<tr><td><span class=\"swatch passed\"></span>passed</td><td class=\"r\">").Number(r.Passed, NumberFormat.Count, "runs", index, "passed").Raw("</td></tr>");
        foreach (var (name, count) in r.FailureClasses)
            h.Raw($"<tr><td><span class=\"swatch {name.Replace(' ', '-')}\"></span>").Text(name).Raw("</td><td class=\"r\">")
                .Number(count, NumberFormat.Count, "runs", index, "failure_classes", name).Raw("</td></tr>");
        h.Raw("</tbody></table></div>\n");

        Ranking(h, r, index, svg[$"ranking-{n}"]);
        if (r.Bleu is { } bleu) Bleu(h, r, bleu, index, n, svg);
        if (r.Chains is { } chains) Chains(h, chains, index, svg[$"chains-{n}"]);
        Problems(h, run, index, n, svg[$"problems-{n}"]);
        h.Raw("</section>\n");
    }

    private static void Ranking(HtmlWriter h, RunReport r, int index, string svg)
    {
        h.Raw("<h3>Choosing one sample without running tests</h3>");
        var missing = RunAnalysis.Methods.Select(m => m.Method).Where(m => !r.Ranking.ContainsKey(m)).ToList();
        h.Raw("<p>The pass rate of the top-ranked of k random samples (Fig. 7 of the paper).")
            .Text(missing.Count == 0 ? "" : $" Not drawn: {string.Join(", ", missing)} (the samples carry no such score).").Raw("</p>");
        ReportPage.Figure(h, svg, "Ranked pass@1, computed exactly over all size-k subsets; the oracle equals pass@k.");
        var ks = RankingKs.Where(k => k < r.MinSamplesPerProblem).Append(r.MinSamplesPerProblem).ToList();
        h.Raw("<table><thead><tr><th>method</th>");
        foreach (var k in ks) h.Raw($"<th class=\"r\">k = {k}</th>");
        h.Raw("</tr></thead><tbody>");
        foreach (var (method, curve) in r.Ranking)
        {
            h.Raw("<tr><td>").Text(method).Raw("</td>");
            foreach (var k in ks)
                h.Raw("<td class=\"r\">").Number(curve[RunAnalysis.Key(k)], NumberFormat.Percent, "runs", index, "ranking", method, RunAnalysis.Key(k)).Raw("</td>");
            h.Raw("</tr>");
        }
        h.Raw("</tbody></table>\n");
    }

    private static void Bleu(HtmlWriter h, RunReport r, BleuReport bleu, int index, string n, IReadOnlyDictionary<string, string> svg)
    {
        h.Raw("<h3>BLEU against functional correctness</h3><p>Sentence BLEU-4 of each sample against the problem's canonical solution (")
            .Text(bleu.Smoothing).Raw("). On ")
            .Number(bleu.ProblemsWhereFailingScoreHigher, NumberFormat.Count, "runs", index, "bleu", "problems_where_failing_score_higher")
            .Raw(" of the ").Number(bleu.ProblemsWithBoth, NumberFormat.Count, "runs", index, "bleu", "problems_with_both")
            .Raw(" problems with both passing and failing samples, the failing ones score higher on average.</p>");
        h.Raw("<table><thead><tr><th>samples</th><th class=\"r\">count</th><th class=\"r\">mean BLEU</th><th class=\"r\">median BLEU</th></tr></thead><tbody>");
        foreach (var (label, key, group) in new[] { ("passing", "passing", bleu.Passing), ("failing", "failing", bleu.Failing) })
            h.Raw("<tr><td>").Text(label).Raw("</td><td class=\"r\">").Number(group.Count, NumberFormat.Count, "runs", index, "bleu", key, "count")
                .Raw("</td><td class=\"r\">").Number(group.Mean, NumberFormat.Decimal3, "runs", index, "bleu", key, "mean")
                .Raw("</td><td class=\"r\">").Number(group.Median, NumberFormat.Decimal3, "runs", index, "bleu", key, "median").Raw("</td></tr>");
        h.Raw("</tbody></table><div class=\"grid2\">");
        ReportPage.Figure(h, svg[$"bleu-{n}"], "The distributions overlap heavily: BLEU says little about whether a program is correct (Fig. 8).");
        ReportPage.Figure(h, svg[$"bleu-problems-{n}"], "One point per problem; below the grey line its failing samples look more like the reference than its passing ones.");
        h.Raw("</div>\n");
    }

    private static void Chains(HtmlWriter h, IReadOnlyDictionary<string, ChainPoint> chains, int index, string svg)
    {
        h.Raw("<h3>Docstring chains</h3><p>Synthetic problems that chain string building blocks (§7 of the paper); the pass rate should fall with each block added.</p><div class=\"grid2\">");
        ReportPage.Figure(h, svg, "Mean pass rate over the problems of each chain length, with its 95% bootstrap interval.");
        h.Raw("<table><thead><tr><th>blocks</th><th class=\"r\">problems</th><th class=\"r\">pass rate</th></tr></thead><tbody>");
        foreach (var (length, point) in chains)
            h.Raw("<tr><td>").Text(length).Raw("</td><td class=\"r\">").Number(point.Problems, NumberFormat.Count, "runs", index, "chains", length, "problems")
                .Raw("</td><td class=\"r\">").Number(point.PassRate, NumberFormat.Percent, "runs", index, "chains", length, "pass_rate")
                .Raw(" <span class=\"ci\">(").Number(point.Ci95.Low, NumberFormat.Percent, "runs", index, "chains", length, "ci95", "low").Raw(" – ")
                .Number(point.Ci95.High, NumberFormat.Percent, "runs", index, "chains", length, "ci95", "high").Raw(")</span></td></tr>");
        h.Raw("</tbody></table></div>\n");
    }

    private static void Problems(HtmlWriter h, AnalyzedRun run, int index, string n, string svg)
    {
        var r = run.Report;
        h.Raw("<h3>Problems</h3>");
        ReportPage.Figure(h, svg, "Each column is one problem, sorted by pass rate: the green part passed, the rest is coloured by why it failed.");
        h.Raw("<table class=\"problems\"><thead><tr><th>problem</th><th class=\"r\">passed</th><th class=\"r\">pass rate</th><th>main failure</th><th class=\"r\">BLEU pass / fail</th></tr></thead><tbody>");
        for (var i = 0; i < r.ProblemRows.Count; i++)
        {
            var p = r.ProblemRows[i];
            var main = p.Failures.Where(f => f.Value > 0).OrderByDescending(f => f.Value).Select(f => f.Key).FirstOrDefault();
            h.Raw($"<tr><td><a href=\"#{Anchor(n, p.TaskId)}\">").Text(p.TaskId).Raw("</a></td><td class=\"r\">")
                .Number(p.Passed, NumberFormat.Count, "runs", index, "problem_rows", i, "passed").Raw(" / ")
                .Number(p.N, NumberFormat.Count, "runs", index, "problem_rows", i, "n").Raw("</td><td class=\"r\"><span class=\"bar\"><span style=\"width:")
                .Raw(((int)Math.Round(p.PassRate * 100)).ToString(System.Globalization.CultureInfo.InvariantCulture)).Raw("%\"></span></span> ")
                .Number(p.PassRate, NumberFormat.Percent, "runs", index, "problem_rows", i, "pass_rate").Raw("</td><td>").Text(main ?? "").Raw("</td><td class=\"r\">");
            if (p.BleuPassing is { } bp) h.Number(bp, NumberFormat.Decimal3, "runs", index, "problem_rows", i, "bleu_passing"); else h.Raw("–");
            h.Raw(" / ");
            if (p.BleuFailing is { } bf) h.Number(bf, NumberFormat.Decimal3, "runs", index, "problem_rows", i, "bleu_failing"); else h.Raw("–");
            h.Raw("</td></tr>");
        }
        h.Raw("</tbody></table>\n<div class=\"details\">");
        foreach (var p in r.ProblemRows)
        {
            var examples = run.Examples[p.TaskId];
            h.Raw($"<details id=\"{Anchor(n, p.TaskId)}\"><summary>").Text($"{p.TaskId}: {p.Passed} of {p.N} passed").Raw("</summary>");
            if (examples.Prompt is not null) h.Raw("<h4>Prompt</h4><pre>").Text(examples.Prompt).Raw("</pre>");
            if (examples.Passing is { } passing) h.Raw("<h4>A passing sample</h4><pre class=\"pass\">").Text(passing.Completion).Raw("</pre>");
            if (examples.Failing is { } failing)
                h.Raw("<h4>A failing sample</h4><pre class=\"fail\">").Text(failing.Completion).Raw("</pre><p class=\"verdict\">").Text(failing.Result).Raw("</p>");
            h.Raw("</details>");
        }
        h.Raw("</div>\n");
    }

    private static string Anchor(string run, string taskId) =>
        $"r{run}-" + new string(taskId.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}
