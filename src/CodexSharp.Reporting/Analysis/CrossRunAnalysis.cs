using System.Globalization;
using CodexSharp.Core.Metrics;
using CodexSharp.Reporting.Metrics;

namespace CodexSharp.Reporting.Analysis;

/// <summary>What the report says across runs: two runs compared, and runs of one model at several temperatures.</summary>
public static class CrossRunAnalysis
{
    /// <summary>The k the headline tables and temperature plots use, as in the paper.</summary>
    public static IReadOnlyList<int> HeadlineKs { get; } = [1, 10, 100];

    /// <summary>
    /// A against B over their problems, for each of <paramref name="ks"/> both runs support; null (with a warning)
    /// when they were not run on the same problems.
    /// </summary>
    public static ComparisonReport? Compare(AnalyzedRun a, AnalyzedRun b, IReadOnlyList<int> ks, Action<string> warn)
    {
        var tasksA = a.PerProblemPassAtK.Select(p => p.TaskId).ToHashSet(StringComparer.Ordinal);
        var tasksB = b.PerProblemPassAtK.Select(p => p.TaskId).ToHashSet(StringComparer.Ordinal);
        if (!tasksA.SetEquals(tasksB))
        {
            var onlyA = tasksA.Except(tasksB).Order(StringComparer.Ordinal).ToList();
            var onlyB = tasksB.Except(tasksA).Order(StringComparer.Ordinal).ToList();
            warn($"cannot compare {a.Report.Name} with {b.Report.Name}: they are results on different problem sets "
                + $"({tasksA.Count} and {tasksB.Count} problems; {onlyA.Count} only in the first{Example(onlyA)}, {onlyB.Count} only in the second{Example(onlyB)}). "
                + "Each run is reported on its own.");
            return null;
        }
        var order = a.PerProblemPassAtK.Select(p => p.TaskId).ToList();
        var curvesB = b.PerProblemPassAtK.ToDictionary(p => p.TaskId, p => p.Curve, StringComparer.Ordinal);
        var curvesA = a.PerProblemPassAtK.ToDictionary(p => p.TaskId, p => p.Curve, StringComparer.Ordinal);
        var n = Math.Min(a.Report.MinSamplesPerProblem, b.Report.MinSamplesPerProblem);
        var compared = new Dictionary<string, ComparedK>(StringComparer.Ordinal);
        foreach (var k in ks.Where(k => k <= n))
        {
            var scoresA = order.Select(t => curvesA[t][k - 1]).ToArray();
            var scoresB = order.Select(t => curvesB[t][k - 1]).ToArray();
            var d = PairedBootstrap.Compare(scoresA, scoresB);
            compared[RunAnalysis.Key(k)] = new ComparedK(scoresA.Average(), scoresB.Average(), d.Difference, d.Ci95, d.ShareAtOrBelowZero);
        }
        var skipped = ks.Where(k => k > n).ToList();
        if (skipped.Count > 0 && compared.Count == 0) warn($"comparison: pass@{string.Join(", pass@", skipped)} left out: the runs have as few as {n} samples per problem.");
        var rateA = a.Report.ProblemRows.ToDictionary(r => r.TaskId, r => r.PassRate, StringComparer.Ordinal);
        var rateB = b.Report.ProblemRows.ToDictionary(r => r.TaskId, r => r.PassRate, StringComparer.Ordinal);
        var won = order.Where(t => rateA[t] > rateB[t]).ToList();
        var lost = order.Where(t => rateA[t] < rateB[t]).ToList();
        return new ComparisonReport(a.Report.Name, b.Report.Name, order.Count, compared, won.Count, lost.Count, order.Count - won.Count - lost.Count, won, lost);
    }

    /// <summary>Per problem, pass rate of A minus that of B, in A's problem order.</summary>
    public static double[] Differences(AnalyzedRun a, AnalyzedRun b)
    {
        var rateB = b.Report.ProblemRows.ToDictionary(r => r.TaskId, r => r.PassRate, StringComparer.Ordinal);
        return a.Report.ProblemRows.Select(r => r.PassRate - rateB[r.TaskId]).ToArray();
    }

    /// <summary>
    /// Runs of one model (as the generation records name it) at two or more temperatures, on the same problems:
    /// pass@k at each temperature for k = 1..n, and the best temperature for each k (the envelope of Fig. 5).
    /// Null when no such group exists; the largest group is taken when there are several.
    /// </summary>
    public static (TemperatureReport Report, List<AnalyzedRun> Runs)? Temperatures(IReadOnlyList<AnalyzedRun> runs, Action<string> warn)
    {
        var groups = runs.Where(r => r.Report.Model is not null && r.Report.Temperature is not null)
            .GroupBy(r => (r.Report.Model!, string.Join('\n', r.PerProblemPassAtK.Select(p => p.TaskId).Order(StringComparer.Ordinal))))
            .Select(g => g.GroupBy(r => r.Report.Temperature!.Value).Select(t => t.First()).OrderBy(r => r.Report.Temperature).ToList())
            .Where(g => g.Count >= 2)
            .OrderByDescending(g => g.Count)
            .ToList();
        if (groups.Count == 0)
        {
            if (runs.Count >= 2 && runs.Any(r => r.Report.Temperature is null))
                warn("no temperature plot: some runs have no generation record naming their temperature (NAME.config.json beside the samples).");
            return null;
        }
        var group = groups[0];
        var n = group.Min(r => r.Report.MinSamplesPerProblem);
        var passAtK = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        var envelope = new Dictionary<string, EnvelopePoint>(StringComparer.Ordinal);
        for (var k = 1; k <= n; k++)
        {
            var key = RunAnalysis.Key(k);
            var atT = group.ToDictionary(r => TemperatureKey(r.Report.Temperature!.Value), r => r.Report.PassAtK[key].Value, StringComparer.Ordinal);
            passAtK[key] = atT;
            var best = group.MaxBy(r => r.Report.PassAtK[key].Value)!;
            envelope[key] = new EnvelopePoint(best.Report.PassAtK[key].Value, best.Report.Temperature!.Value);
        }
        return (new TemperatureReport(group[0].Report.Model!, group.Select(r => r.Report.Temperature!.Value).ToList(), passAtK, envelope), group);
    }

    /// <summary>A temperature as report.json names it: "0.2", "0.8".</summary>
    public static string TemperatureKey(double t) => t.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Example(List<string> tasks) => tasks.Count == 0 ? "" : $", e.g. {tasks[0]}";
}
