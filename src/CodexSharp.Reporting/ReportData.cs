using CodexSharp.Core.Metrics;

namespace CodexSharp.Reporting;

/// <summary>Everything <c>report.json</c> holds: every number the page shows, under the key the page names.</summary>
public sealed record ReportDocument
{
    public string Tool { get; init; } = "codexsharp";
    public string Version { get; init; } = Core.ToolInfo.Version;
    public required DateTimeOffset CreatedUtc { get; init; }
    public required IReadOnlyList<RunReport> Runs { get; init; }

    /// <summary>The first run's ranked pass@1 curves: method → k → value (also under <c>runs[0].ranking</c>).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Ranking { get; init; }

    public ComparisonReport? Comparison { get; init; }
    public TemperatureReport? Temperature { get; init; }

    /// <summary>Parts of the report that could not be drawn, and why.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Plot name → its SVG and PNG file, relative to the report's folder.</summary>
    public required IReadOnlyDictionary<string, PlotPaths> Plots { get; init; }
}

public sealed record PlotPaths(string Title, string Svg, string Png);

/// <summary>An estimate with its 95% bootstrap interval over problems.</summary>
public sealed record Estimate(double Value, Interval Ci95);

/// <summary>One results file's analyses.</summary>
public sealed record RunReport
{
    public required string Name { get; init; }
    public required string ResultsPath { get; init; }
    public string? Model { get; init; }
    public double? Temperature { get; init; }
    public required int Problems { get; init; }
    public required int Samples { get; init; }
    public required int Passed { get; init; }

    /// <summary>The fewest and most samples any problem has; pass@k is reported for k up to the fewest.</summary>
    public required int MinSamplesPerProblem { get; init; }
    public required int MaxSamplesPerProblem { get; init; }

    /// <summary>The benchmark the run was evaluated on (humaneval, apps, ...).</summary>
    public string Benchmark { get; init; } = "humaneval";

    /// <summary>k → pass@k and its interval, for every k = 1..n.</summary>
    public required IReadOnlyDictionary<string, Estimate> PassAtK { get; init; }

    /// <summary>What <see cref="PassAtK"/> measures, as the benchmark names it ("pass@k", APPS's "raw pass@k").</summary>
    public string MainColumn { get; init; } = "pass@k";

    /// <summary>The benchmark's other pass@k tables from the run's summary (APPS's "filtered pass@k"): column → k → estimate.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, Estimate>>? PassAtKBy { get; init; }

    /// <summary>Verdict class → samples (every failure class present, zero or not).</summary>
    public required IReadOnlyDictionary<string, int> FailureClasses { get; init; }

    /// <summary>Method → k → ranked pass@1 (methods: random, mean_logprob, sum_logprob, backtranslation, oracle).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Ranking { get; init; }

    public BleuReport? Bleu { get; init; }

    /// <summary>Chain length → pass rate, for synthetic docstring-chain problems.</summary>
    public IReadOnlyDictionary<string, ChainPoint>? Chains { get; init; }

    /// <summary>Problems sorted by pass rate, lowest first.</summary>
    public required IReadOnlyList<ProblemReport> ProblemRows { get; init; }
}

public sealed record ProblemReport(
    string TaskId, int N, int Passed, double PassRate, IReadOnlyDictionary<string, int> Failures,
    double? BleuPassing, double? BleuFailing, int? ChainLength);

/// <summary>Sentence BLEU-4 against the canonical solution, for passing and failing samples.</summary>
public sealed record BleuReport(
    string Smoothing, BleuGroup Passing, BleuGroup Failing, IReadOnlyList<double> BinEdges,
    int ProblemsWithBoth, int ProblemsWhereFailingScoreHigher);

/// <summary>How a group's BLEU scores are distributed: count, mean, median, and the share in each bin.</summary>
public sealed record BleuGroup(int Count, double Mean, double Median, IReadOnlyList<double> Histogram);

public sealed record ChainPoint(int Problems, int Samples, double PassRate, Interval Ci95);

/// <summary>Two runs on the same problems (A − B).</summary>
public sealed record ComparisonReport(
    string A, string B, int Problems, IReadOnlyDictionary<string, ComparedK> PassAtK,
    int Won, int Lost, int Tied, IReadOnlyList<string> WonTasks, IReadOnlyList<string> LostTasks);

/// <summary>pass@k of A and B, their difference, its paired bootstrap interval, and the share of resampled differences ≤ 0.</summary>
public sealed record ComparedK(double A, double B, double Difference, Interval Ci95, double ShareAtOrBelowZero);

/// <summary>Runs of one model at several temperatures: pass@k at each, and the best temperature for each k.</summary>
public sealed record TemperatureReport(
    string Model, IReadOnlyList<double> Temperatures, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> PassAtK,
    IReadOnlyDictionary<string, EnvelopePoint> Envelope);

public sealed record EnvelopePoint(double Value, double Temperature);
