using System.Globalization;
using CodexSharp.Core.Metrics;
using CodexSharp.Reporting.Loading;
using CodexSharp.Reporting.Metrics;

namespace CodexSharp.Reporting.Analysis;

/// <summary>What the page shows of one problem beyond its numbers: the prompt and one sample of each kind.</summary>
public sealed record ProblemExamples(string? Prompt, ResultSample? Passing, ResultSample? Failing);

/// <summary>A run with its analyses: the numbers (<see cref="RunReport"/>) and the examples the page shows.</summary>
public sealed record AnalyzedRun(EvaluatedRun Run, RunReport Report, IReadOnlyDictionary<string, ProblemExamples> Examples, IReadOnlyList<(string TaskId, double[] Curve)> PerProblemPassAtK);

/// <summary>Computes everything the report says about one run.</summary>
public static class RunAnalysis
{
    /// <summary>The ranking methods, in the order the page shows them, with the score each ranks by.</summary>
    public static IReadOnlyList<(string Method, Func<ResultSample, double?> Score)> Methods { get; } =
    [
        ("random", _ => 0.0),
        ("mean_logprob", s => s.MeanLogprob),
        ("sum_logprob", s => s.SumLogprob),
        ("backtranslation", s => s.BacktranslationLogprob),
        ("oracle", s => s.Passed ? 1.0 : 0.0),
    ];

    public const int BleuBins = 20;

    public static AnalyzedRun Analyze(EvaluatedRun run, Action<string> warn)
    {
        var byTask = run.Samples.GroupBy(s => s.TaskId, StringComparer.Ordinal).ToList();
        var minN = byTask.Min(g => g.Count());
        var maxN = byTask.Max(g => g.Count());
        if (minN < maxN) warn($"{run.Name}: problems have between {minN} and {maxN} samples; curves stop at k = {minN}.");

        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in FailureClasses.Failures) classes[c] = 0;
        var rows = new List<ProblemReport>();
        var examples = new Dictionary<string, ProblemExamples>(StringComparer.Ordinal);
        var bleuPassing = new List<double>();
        var bleuFailing = new List<double>();
        var perProblemCurves = new List<(string, double[])>();
        foreach (var group in byTask)
        {
            var samples = group.ToList();
            var problem = run.Problems is { } set && set.TryGet(group.Key, out var p) ? p : null;
            var literals = problem is null ? null : FailureClasses.LiteralsOf(problem.Test);
            var failures = FailureClasses.Failures.ToDictionary(c => c, _ => 0, StringComparer.Ordinal);
            foreach (var s in samples.Where(s => !s.Passed))
            {
                var verdict = FailureClasses.Classify(false, s.Result, literals);
                failures[verdict]++;
                classes[verdict]++;
            }
            double? meanPassing = null, meanFailing = null;
            if (problem is not null && problem.CanonicalSolution.Length > 0) // humaneval-cs has reference solutions for a few problems only
            {
                var scored = samples.Select(s => (s.Passed, Bleu: SentenceBleu.Score(s.Completion, problem.CanonicalSolution))).ToList();
                bleuPassing.AddRange(scored.Where(x => x.Passed).Select(x => x.Bleu));
                bleuFailing.AddRange(scored.Where(x => !x.Passed).Select(x => x.Bleu));
                meanPassing = scored.Any(x => x.Passed) ? scored.Where(x => x.Passed).Average(x => x.Bleu) : null;
                meanFailing = scored.Any(x => !x.Passed) ? scored.Where(x => !x.Passed).Average(x => x.Bleu) : null;
            }
            var passed = samples.Count(s => s.Passed);
            int? chainLength = problem?.Row["chain_length"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<int>(out var length) ? length : null;
            rows.Add(new ProblemReport(group.Key, samples.Count, passed, (double)passed / samples.Count, failures, meanPassing, meanFailing, chainLength));
            examples[group.Key] = new ProblemExamples(problem?.Prompt, samples.FirstOrDefault(s => s.Passed), samples.FirstOrDefault(s => !s.Passed));
            perProblemCurves.Add((group.Key, Enumerable.Range(1, minN).Select(k => PassAtK.Estimate(samples.Count, passed, k)).ToArray()));
        }

        var passAtK = new Dictionary<string, Estimate>(StringComparer.Ordinal);
        for (var k = 1; k <= minN; k++)
        {
            var values = perProblemCurves.Select(c => c.Item2[k - 1]).ToArray();
            passAtK[Key(k)] = new Estimate(values.Average(), BootstrapInterval.OfMean(values));
        }

        var report = new RunReport
        {
            Name = run.Name,
            ResultsPath = run.ResultsPath,
            Model = run.Model,
            Temperature = run.Temperature,
            Problems = byTask.Count,
            Samples = run.Samples.Count,
            Passed = run.Samples.Count(s => s.Passed),
            MinSamplesPerProblem = minN,
            MaxSamplesPerProblem = maxN,
            PassAtK = passAtK,
            FailureClasses = classes,
            Ranking = Ranking(byTask.Select(g => g.ToList()).ToList(), minN),
            Benchmark = run.Benchmark.Name,
            MainColumn = run.Summary?["main_column"] is System.Text.Json.Nodes.JsonValue main && main.TryGetValue<string>(out var column) ? column : "pass@k",
            PassAtKBy = OtherColumns(run.Summary),
            Bleu = bleuPassing.Count + bleuFailing.Count == 0 ? null : Bleu(bleuPassing, bleuFailing, rows),
            Chains = Chains(rows),
            ProblemRows = rows.OrderBy(r => r.PassRate).ThenBy(r => r.TaskId, StringComparer.Ordinal).ToList(),
        };
        return new AnalyzedRun(run, report, examples, perProblemCurves);
    }

    /// <summary>
    /// The pass@k tables the summary holds beside the main one (APPS's "filtered pass@k", EvalPlus's base
    /// and plus): column → k → estimate, as evaluate computed them; null when there are none.
    /// </summary>
    private static Dictionary<string, IReadOnlyDictionary<string, Estimate>>? OtherColumns(System.Text.Json.Nodes.JsonObject? summary)
    {
        if (summary?["pass_at_k_by"] is not System.Text.Json.Nodes.JsonObject columns) return null;
        var result = new Dictionary<string, IReadOnlyDictionary<string, Estimate>>(StringComparer.Ordinal);
        foreach (var (column, table) in columns)
        {
            if (table is not System.Text.Json.Nodes.JsonObject estimates) continue;
            var values = new Dictionary<string, Estimate>(StringComparer.Ordinal);
            foreach (var (name, e) in estimates)
            {
                if (!name.StartsWith("pass@", StringComparison.Ordinal) || Number(e?["value"]) is not { } value) continue;
                values[name["pass@".Length..]] = new Estimate(value, new Interval(Number(e?["ci95"]?["low"]) ?? double.NaN, Number(e?["ci95"]?["high"]) ?? double.NaN));
            }
            result[column] = values;
        }
        return result.Count == 0 ? null : result;
    }

    private static double? Number(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>k as report.json names it: "1", "10", ...</summary>
    public static string Key(int k) => k.ToString(CultureInfo.InvariantCulture);

    /// <summary>Ranked pass@1 for each method whose score every sample has, averaged over problems, k = 1..n.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, double>> Ranking(List<List<ResultSample>> problems, int n)
    {
        var ranking = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        foreach (var (method, score) in Methods)
        {
            // A method is drawn when any sample has its score; a sample without one (an empty completion has no mean
            // log-probability) ranks below every scored sample.
            if (!problems.Any(p => p.Any(s => score(s) is not null))) continue;
            var sums = new double[n];
            foreach (var samples in problems)
            {
                var curve = RankedPassAtK.Curve(samples.Select(s => new ScoredSample(score(s) ?? double.NegativeInfinity, s.Passed)).ToList());
                for (var k = 0; k < n; k++) sums[k] += curve[k];
            }
            ranking[method] = Enumerable.Range(1, n).ToDictionary(Key, k => sums[k - 1] / problems.Count, StringComparer.Ordinal);
        }
        return ranking;
    }

    private static BleuReport Bleu(List<double> passing, List<double> failing, List<ProblemReport> rows)
    {
        var edges = Enumerable.Range(0, BleuBins + 1).Select(i => (double)i / BleuBins).ToArray();
        var both = rows.Where(r => r.BleuPassing is not null && r.BleuFailing is not null).ToList();
        return new BleuReport("Chen & Cherry (2014) method 1: an n-gram order without matches counts 0.1 matches", Group(passing), Group(failing), edges,
            both.Count, both.Count(r => r.BleuFailing > r.BleuPassing));
    }

    private static BleuGroup Group(List<double> values)
    {
        var histogram = new double[BleuBins];
        foreach (var v in values) histogram[Math.Min(BleuBins - 1, (int)(v * BleuBins))]++;
        var sorted = values.Order().ToArray();
        return new BleuGroup(values.Count,
            values.Count == 0 ? double.NaN : values.Average(),
            values.Count == 0 ? double.NaN : BootstrapInterval.Quantile(sorted, 0.5),
            histogram.Select(h => values.Count == 0 ? 0 : h / values.Count).ToArray());
    }

    private static Dictionary<string, ChainPoint>? Chains(List<ProblemReport> rows)
    {
        var chained = rows.Where(r => r.ChainLength is not null).ToList();
        if (chained.Count == 0) return null;
        return chained.GroupBy(r => r.ChainLength!.Value).OrderBy(g => g.Key).ToDictionary(
            g => Key(g.Key),
            g => new ChainPoint(g.Count(), g.Sum(r => r.N), g.Average(r => r.PassRate), BootstrapInterval.OfMean(g.Select(r => r.PassRate).ToArray())),
            StringComparer.Ordinal);
    }
}
