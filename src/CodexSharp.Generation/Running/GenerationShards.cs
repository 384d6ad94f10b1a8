using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Sharding;

namespace CodexSharp.Generation.Running;

/// <summary>
/// <c>generate --shard I/N</c>: a shard is whole tasks (so each task's seeds and stop rules are those of one
/// machine's run), every task costing its n samples, split by <see cref="ShardPlan"/>; its samples go to
/// <c>NAME.shard-I-of-N.jsonl</c> with its own record, and <see cref="SamplesMerge"/> puts the shards back together.
/// </summary>
public static class GenerationShards
{
    /// <summary>The tasks of the config's shard and the facts its record keeps; all tasks and null when not sharded.</summary>
    /// <exception cref="ConfigException">There are more shards than tasks (field <c>shard</c>).</exception>
    public static (IReadOnlyList<GenerationTask> Tasks, ShardFacts? Facts) Select(IReadOnlyList<GenerationTask> tasks, GenerationConfig config)
    {
        if (config.Shard is not { } choice) return (tasks, null);
        var plan = ShardPlan.Balance(tasks.Select(t => t.TaskId).ToList(), tasks.Select(_ => (double)config.SamplesPerTask).ToList(), choice.Spec.Count);
        var positions = plan.PositionsOf(choice.Spec.Index);
        var facts = new ShardFacts
        {
            Index = choice.Spec.Index,
            Count = choice.Spec.Count,
            Source = choice.Source,
            PlanSha256 = plan.Fingerprint,
            TotalRows = tasks.Count * config.SamplesPerTask,
            Rows = positions.Count * config.SamplesPerTask,
            Tasks = positions.Select(p => tasks[p].TaskId).ToList(),
            Positions = positions,
        };
        return (positions.Select(p => tasks[p]).ToList(), facts);
    }

    /// <summary>Adds the shard's facts to a run's record (see <see cref="GenerationRecord.Build"/>).</summary>
    public static JsonObject WithShard(JsonObject record, ShardFacts? facts)
    {
        if (facts is not null) record["shard"] = ShardInputs.ToJson(facts);
        return record;
    }
}
