using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Io;
using CodexSharp.Core.Sharding;

namespace CodexSharp.Generation.Running;

/// <summary>
/// Merges the samples files of <c>generate --shard I/N</c> into one: tasks in the run's order, each task's samples
/// by sample index, every line copied as it is. That is the file one machine writes when its requests finish in
/// order (<c>--concurrency 1</c>); at higher concurrency one machine writes the same lines in arrival order. The
/// record is the shards' record without the shard, with the shards it came from.
/// </summary>
public static class SamplesMerge
{
    /// <summary>Settings every shard of one run shares (besides the plan): what a sample means and how many there are.</summary>
    private static readonly string[] IdentityFields = ["backend", "model", "temperature", "top_p", "top_k", "max_tokens", "stop", "seed", "samples_per_task", "limit", "dataset", "dataset_sha256", "dataset_tasks"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <exception cref="Core.UserInputException">A shard is missing, incomplete, cut, duplicated, overlapping or from another run.</exception>
    public static MergeOutcome Run(IReadOnlyList<string> paths, string output)
    {
        var clock = Stopwatch.StartNew();
        var shards = ShardInputs.Check(paths, output, Identity);
        if (shards[0].Facts.Tasks is null)
            throw new Core.UserInputException($"{shards[0].Path}: is not a samples shard (its record names rows, not tasks).");
        var rows = 0;
        JsonlFile.WriteLinesAtomic(output, ShardInputs.InTaskOrder(shards).Select(line =>
        {
            rows++;
            return line;
        }));
        var record = (JsonObject)shards[0].Record.DeepClone();
        record.Remove("shard");
        record["status"] = RunStatus.Completed;
        record["samples_in_file"] = rows;
        record["created_utc"] = shards.Select(s => s.Record["created_utc"]?.ToString() ?? "").Min(StringComparer.Ordinal);
        record["updated_utc"] = DateTimeOffset.UtcNow.ToString("O");
        record["failed_tasks"] = new JsonArray();
        record["truncated_prompts"] = new JsonArray(shards.SelectMany(s => s.Record["truncated_prompts"] as JsonArray ?? []).Select(t => t?.DeepClone()).ToArray());
        record["merged_from"] = ShardInputs.Provenance(shards);
        OutputFiles.Guard(OutputPaths.Config(output), () => AtomicFile.WriteAllText(OutputPaths.Config(output), record.ToJsonString(Indented) + "\n"));
        return new MergeOutcome(output, rows, shards.Count, clock.Elapsed);
    }

    private static JsonNode Identity(JsonObject record) =>
        new JsonObject(IdentityFields.Select(f => KeyValuePair.Create(f, record[f]?.DeepClone())));
}
