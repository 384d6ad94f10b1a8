using System.Text.Json.Serialization;
using CodexSharp.Core.Metrics;

namespace CodexSharp.Core.Evaluation;

/// <summary>Everything a run measured; written as JSON beside the results.</summary>
public sealed record EvaluationSummary
{
    public required string Tool { get; init; }
    public required string Version { get; init; }
    public required DateTimeOffset FinishedUtc { get; init; }
    public required FileFacts Samples { get; init; }
    public required FileFacts Problems { get; init; }
    public required string ResultsPath { get; init; }
    public required IReadOnlyDictionary<string, string> Config { get; init; }

    /// <summary>"pass@k" → estimate and 95% bootstrap interval over problems, for every k the data supports.</summary>
    public required IReadOnlyDictionary<string, PassAtKEstimate> PassAtK { get; init; }

    /// <summary>What <see cref="PassAtK"/> measures (e.g. "base+plus" for EvalPlus, "raw" for APPS).</summary>
    public string MainColumn { get; init; } = "pass@k";

    /// <summary>The benchmark's further pass@k tables, by name (EvalPlus's "base", APPS's "filtered"); null when it has none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, PassAtKEstimate>>? PassAtKBy { get; init; }

    /// <summary>Requested k that could not be reported, each with the reason.</summary>
    public required IReadOnlyList<string> SkippedK { get; init; }

    public required StatusCounts Counts { get; init; }

    /// <summary>Problems in the problems file with no sample at all (not in pass@k).</summary>
    public required int ProblemsWithoutSamples { get; init; }

    /// <summary>Problems that have samples: the ones pass@k averages over.</summary>
    public required int ProblemsEvaluated { get; init; }

    public required RerunFacts Reruns { get; init; }

    /// <summary>How much of the run the timed-out programs took: why a run took as long as it did.</summary>
    public required TimeoutFacts Timeouts { get; init; }

    /// <summary>Per task: samples and how many passed, in problems-file order.</summary>
    public required IReadOnlyDictionary<string, TaskCounts> Tasks { get; init; }

    public required double DurationSeconds { get; init; }
    public required double SamplesPerSecond { get; init; }
}

public sealed record FileFacts(string Path, string Sha256, int Rows);

public sealed record PassAtKEstimate(double Value, [property: JsonPropertyName("ci95")] Interval Ci95, int Problems);

public sealed record StatusCounts(int Passed, int Failed, int TimedOut, int NotRun);

/// <summary>
/// Timed-out programs: how many, the seconds they ran in all (their final runs), and that time's share of the
/// run's worker time (workers × duration), which is the share of the wall-clock time they cost.
/// </summary>
public sealed record TimeoutFacts(int Count, double Seconds, double ShareOfRun);

/// <summary>Timed-out samples run again alone, and how many of them then passed or failed instead.</summary>
public sealed record RerunFacts(bool Enabled, int Rerun, int Changed);

public sealed record TaskCounts(int N, int Passed, [property: JsonPropertyName("limit_s")] double? LimitSeconds);
