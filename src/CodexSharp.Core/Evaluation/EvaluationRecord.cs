using System.Text.Json;
using CodexSharp.Core.Io;

namespace CodexSharp.Core.Evaluation;

/// <summary>
/// The run's record, written beside the results at <c>OutputPaths.Config(results)</c> when the run starts
/// (status <c>running</c>) and again when it ends (<c>completed</c>, <c>failed</c> or <c>interrupted</c>):
/// the inputs with their SHA-256, the tool's version, the times and the resolved config, so that any results
/// file says how it was made.
/// </summary>
public sealed record EvaluationRecord
{
    public string Tool { get; init; } = "codexsharp";
    public string Version { get; init; } = ToolInfo.Version;
    public string Stage { get; init; } = "evaluate";

    /// <summary><c>running</c>, <c>completed</c>, <c>failed</c> or <c>interrupted</c>.</summary>
    public required string Status { get; init; }

    public required DateTimeOffset StartedUtc { get; init; }
    public DateTimeOffset? FinishedUtc { get; init; }

    /// <summary>Why the run stopped, when it failed.</summary>
    public string? Error { get; init; }

    public required FileFacts Samples { get; init; }
    public required FileFacts Problems { get; init; }
    public required string ResultsPath { get; init; }
    public required string SummaryPath { get; init; }
    public required ResolvedEvaluationConfig Config { get; init; }

    /// <summary>The part of the work this run did when it is one shard of a larger run; null for a whole run.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Sharding.ShardFacts? Shard { get; init; }

    /// <summary>Writes the record atomically to <c>OutputPaths.Config(ResultsPath)</c>.</summary>
    public void Write() =>
        OutputFiles.Guard(OutputPaths.Config(ResultsPath), () =>
            AtomicFile.WriteStatus(OutputPaths.Config(ResultsPath), JsonSerializer.Serialize(this, Evaluator.SummaryJson) + "\n"));
}

/// <summary>An <see cref="EvaluationConfig"/> as the run's record writes it: paths resolved, every setting explicit.</summary>
public sealed record ResolvedEvaluationConfig(
    string SamplesPath, string ProblemsPath, string ResultsPath, EvaluationSettings Settings, IReadOnlyDictionary<string, string> RunInfo)
{
    public static ResolvedEvaluationConfig Of(EvaluationConfig config) => new(
        Path.GetFullPath(config.SamplesPath), Path.GetFullPath(config.Problems.Path), Path.GetFullPath(config.ResolvedOutputPath), config.Settings, config.RunInfo);
}
