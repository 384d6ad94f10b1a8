using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Evaluation;

/// <summary>How to evaluate a samples file. Defaults follow openai/human-eval.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The samples file (JSONL or JSONL.gz).</summary>
    public required string SamplesPath { get; init; }

    /// <summary>The problems the samples answer.</summary>
    public required ProblemSet Problems { get; init; }

    /// <summary>Where results go; null means human-eval's name, the samples path plus "_results.jsonl".</summary>
    public string? OutputPath { get; init; }

    /// <summary>The k of each pass@k to report.</summary>
    public IReadOnlyList<int> Ks { get; init; } = [1, 10, 100];

    /// <summary>Wall-clock limit per program (human-eval: 3 s). With calibration, the limit for tasks whose calibration failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Per-task limits measured from the canonical solutions; null means the fixed <see cref="Timeout"/>.</summary>
    public TimeLimitCalibration? Calibration { get; init; }

    /// <summary>Re-run each timed-out sample once, alone, before "timed out" is final; null means "when calibrated".</summary>
    public bool? RerunTimeouts { get; init; }

    /// <summary>Programs in flight at once; the runner's worker count is a good value.</summary>
    public int Concurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Make unknown task ids and problems without samples errors instead of warnings.</summary>
    public bool Strict { get; init; }

    /// <summary>Facts about the run (sandbox, workers, dataset name) recorded in the summary's config.</summary>
    public IReadOnlyDictionary<string, string> RunInfo { get; init; } = new Dictionary<string, string>();

    public string ResolvedOutputPath => OutputPath ?? SamplesPath + "_results.jsonl";

    public bool ResolvedRerunTimeouts => RerunTimeouts ?? Calibration is not null;
}

/// <summary>
/// Per-task time limits from the canonical solution's runtime on this machine:
/// <c>clamp(Factor × slowest of Runs, Floor, Ceiling)</c>. A slow machine then does not fail correct code,
/// and a fast one does not wait the full fixed limit on every infinite loop.
/// </summary>
public sealed record TimeLimitCalibration
{
    /// <summary>How many times each canonical solution is timed; the slowest run counts.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Allowed multiple of the canonical runtime.</summary>
    public double Factor { get; init; } = 20;

    /// <summary>No task gets less than this (covers process start-up jitter and slower correct algorithms).</summary>
    public TimeSpan Floor { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>No task gets more than this.</summary>
    public TimeSpan Ceiling { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan LimitFor(TimeSpan canonical)
    {
        var scaled = TimeSpan.FromTicks((long)(canonical.Ticks * Factor));
        return scaled < Floor ? Floor : scaled > Ceiling ? Ceiling : scaled;
    }
}
