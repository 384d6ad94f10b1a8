namespace CodexSharp.Core.Sharding;

/// <summary>
/// What a shard's record says about it, so that a merge can check the shards belong together and put their rows
/// back in order: which shard of how many, who chose it, the whole plan's fingerprint, and which part of the work
/// it holds: <see cref="RowRanges"/> of the input's rows (<c>evaluate --shard</c>), or <see cref="Tasks"/> at their
/// <see cref="Positions"/> in the run's task order (<c>generate --shard</c>, and the evaluation <c>run --shard</c> makes of them).
/// </summary>
public sealed record ShardFacts
{
    public required int Index { get; init; }
    public required int Count { get; init; }

    /// <summary>Where the index came from: <c>--shard</c>, <c>SLURM_ARRAY_TASK_ID=…</c>, <c>JOB_COMPLETION_INDEX=…</c>.</summary>
    public required string Source { get; init; }

    /// <summary>SHA-256 of the whole plan (every task and its shard); equal in every shard of one run.</summary>
    public required string PlanSha256 { get; init; }

    /// <summary>Rows in all shards together (evaluate: the samples file's rows; generate: tasks × n).</summary>
    public required int TotalRows { get; init; }

    /// <summary>Rows this shard's output holds when complete.</summary>
    public required int Rows { get; init; }

    /// <summary>The input rows this shard holds, as half-open [start, end) runs of 0-based row indices; null for task shards.</summary>
    public IReadOnlyList<int[]>? RowRanges { get; init; }

    /// <summary>The tasks this shard holds, in the run's task order; null for row shards.</summary>
    public IReadOnlyList<string>? Tasks { get; init; }

    /// <summary>The position of each of <see cref="Tasks"/> in the run's task order.</summary>
    public IReadOnlyList<int>? Positions { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public ShardSpec Spec => new(Index, Count);
}
