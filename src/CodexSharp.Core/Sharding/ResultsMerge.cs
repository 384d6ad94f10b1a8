using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Sharding;

/// <summary>What a merge wrote: the output, how many rows and shards, and (for results) the merged summary.</summary>
public sealed record MergeOutcome(string OutputPath, int Rows, int Shards, TimeSpan Elapsed, EvaluationSummary? Summary = null);

/// <summary>
/// Merges the results of <c>evaluate --shard I/N</c> (or <c>run --shard I/N</c>) into the results file one machine
/// would have written: each shard's lines are copied as they are, in the input's row order (row shards) or in the
/// merged samples' order, task by task and by sample index (the shards of <c>run</c>). The summary is computed from
/// the merged verdicts as an evaluation computes it (pass@k, counts, per-task figures), with the shards' times added
/// up; the record says which shards it came from.
/// </summary>
public static class ResultsMerge
{
    /// <summary>True when the record beside <paramref name="shardPath"/> is an evaluation's (else it is a generation's).</summary>
    public static bool IsResults(string shardPath)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(OutputPaths.Config(shardPath)))?["stage"] is JsonValue stage && stage.TryGetValue<string>(out var s) && s == "evaluate";
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return false; // the merge of samples reports what is wrong with the record
        }
    }

    /// <param name="paths">The shard results files.</param>
    /// <param name="output">The merged results file (its summary and record go beside it).</param>
    /// <param name="problemsPath">The problems file, when not at the path the shards recorded (it must have the recorded SHA-256).</param>
    /// <exception cref="UserInputException">A shard is missing, incomplete, cut, duplicated, overlapping or from another run; or the problems cannot be found.</exception>
    public static MergeOutcome Run(IReadOnlyList<string> paths, string output, string? problemsPath = null)
    {
        var clock = Stopwatch.StartNew();
        var shards = ShardInputs.Check(paths, output, Identity);
        var summaries = shards.Select(ReadSummary).ToList();
        var first = shards[0].Record;
        var benchmark = BenchmarkCatalog.Find(Text(summaries[0]["config"]?["benchmark"]) ?? BenchmarkCatalog.Default.Name);
        var problems = LoadProblems(first, benchmark, problemsPath);

        var rows = new List<(int Index, string TaskId)>(shards[0].Facts.TotalRows);
        var entries = new Dictionary<int, JournalEntry>(shards[0].Facts.TotalRows);
        var lines = shards[0].Facts.RowRanges is not null ? InRowOrder(shards) : ShardInputs.InTaskOrder(shards);
        JsonlFile.WriteLinesAtomic(output, lines.Select(line =>
        {
            Note(line, rows, entries, benchmark, output);
            return line;
        }));

        var samples = SamplesFacts(shards);
        var config = new EvaluationConfig
        {
            SamplesPath = samples.Path,
            Problems = problems,
            Benchmark = benchmark,
            OutputPath = output,
            Settings = new EvaluationSettings { Ks = Ks(summaries[0]) },
        };
        var limits = summaries.SelectMany(s => (s["tasks"] as JsonObject ?? []).Select(t => (t.Key, Limit: t.Value?["limit_s"])))
            .Where(t => t.Limit is not null).ToDictionary(t => t.Key, t => t.Limit!.GetValue<double>(), StringComparer.Ordinal);
        var duration = summaries.Sum(s => Number(s["duration_seconds"]));
        var workerSeconds = summaries.Sum(s => Number(s["duration_seconds"]) * Number(s["config"]?["workers"]));
        var reruns = new RerunFacts(summaries.Any(s => s["reruns"]?["enabled"]?.GetValue<bool>() == true),
            (int)summaries.Sum(s => Number(s["reruns"]?["rerun"])), (int)summaries.Sum(s => Number(s["reruns"]?["changed"])));
        var timeoutSeconds = Math.Round(summaries.Sum(s => Number(s["timeouts"]?["seconds"])), 3);
        var summary = Evaluator.Summarize(config, rows, entries, samples.Sha256, limits.Count > 0 ? limits : null, reruns, TimeSpan.FromSeconds(duration)) with
        {
            Samples = samples,
            Config = MergedConfig(summaries[0]),
            Timeouts = new TimeoutFacts((int)summaries.Sum(s => Number(s["timeouts"]?["count"])), timeoutSeconds, Math.Round(Math.Min(1, timeoutSeconds / Math.Max(workerSeconds, 1e-9)), 4)),
        };
        OutputFiles.Guard(OutputPaths.Summary(output), () => AtomicFile.WriteAllText(OutputPaths.Summary(output), JsonSerializer.Serialize(summary, Evaluator.SummaryJson) + "\n"));
        WriteRecord(shards, output, samples);
        return new MergeOutcome(output, rows.Count, shards.Count, clock.Elapsed, summary);
    }

    /// <summary>What must be equal in every shard of one run: the inputs' SHA-256 and every setting but the number of workers.</summary>
    private static JsonNode Identity(JsonObject record)
    {
        var settings = record["config"]?["settings"]?.DeepClone() as JsonObject ?? [];
        settings.Remove("workers");
        var identity = new JsonObject
        {
            ["problems_sha256"] = record["problems"]?["sha256"]?.DeepClone(),
            ["settings"] = settings,
            ["run_info"] = record["config"]?["run_info"]?.DeepClone(),
            ["split"] = record["shard"]?["row_ranges"] is null ? "tasks" : "rows",
        };
        // The shards of `run` each evaluate their own samples file; those of `evaluate` share one.
        if (record["shard"]?["row_ranges"] is not null) identity["samples_sha256"] = record["samples"]?["sha256"]?.DeepClone();
        return identity;
    }

    /// <summary>Every row in input order, each from the shard that holds it.</summary>
    private static IEnumerable<string> InRowOrder(List<ShardInput> shards)
    {
        var total = shards[0].Facts.TotalRows;
        var owner = new int[total];
        foreach (var (shard, s) in shards.Select((x, i) => (x, i)))
            foreach (var range in shard.Facts.RowRanges!)
                for (var i = range[0]; i < range[1]; i++) owner[i] = s;
        foreach (var shard in shards) ShardInputs.CheckWhole(shard);
        var readers = shards.Select(s => JsonlFile.ReadLines(s.Path).GetEnumerator()).ToList();
        try
        {
            for (var i = 0; i < total; i++)
            {
                if (!readers[owner[i]].MoveNext()) throw RowCount(shards[owner[i]], "fewer");
                yield return readers[owner[i]].Current.Text;
            }
            foreach (var (reader, s) in readers.Select((r, s) => (r, s)))
                if (reader.MoveNext()) throw RowCount(shards[s], "more");
        }
        finally
        {
            foreach (var reader in readers) reader.Dispose();
        }
    }

    private static UserInputException RowCount(ShardInput shard, string fewerOrMore) =>
        new($"{shard.Path}: holds {fewerOrMore} rows than its record says shard {shard.Facts.Index}/{shard.Facts.Count} has ({shard.Facts.Rows}); run that shard again, then merge.");

    /// <summary>Reads one merged row's task and verdict, as the evaluation that wrote it had them.</summary>
    private static void Note(string line, List<(int Index, string TaskId)> rows, Dictionary<int, JournalEntry> entries, Benchmark benchmark, string output)
    {
        var row = (JsonObject)JsonNode.Parse(line)!;
        var index = rows.Count;
        var taskId = Text(row["task_id"]) ?? throw UserInputException.At(output, index + 1, "task_id", "missing in a shard's row.");
        rows.Add((index, taskId));
        var result = Text(row["result"]) ?? "";
        var passed = row["passed"] is JsonValue p && p.TryGetValue<bool>(out var b) && b;
        if (!passed && result == Evaluator.UnknownTaskResult) return;
        var status = passed ? ExecutionStatus.Passed : result == "timed out" ? ExecutionStatus.TimedOut : ExecutionStatus.Failed;
        var flags = benchmark.FlagNames.Where(f => row[f] is JsonValue).ToDictionary(f => f, f => row[f]!.GetValue<bool>());
        entries[index] = new JournalEntry(index, status, result, 0, false, flags.Count > 0 ? flags : null);
    }

    private static FileFacts SamplesFacts(List<ShardInput> shards)
    {
        var record = shards[0].Record;
        var path = Text(record["samples"]?["path"]) ?? "";
        if (shards[0].Facts.RowRanges is not null)
            return new FileFacts(path, Text(record["samples"]?["sha256"]) ?? "", shards[0].Facts.TotalRows);
        // `run` shards: the samples are the merged samples file, when it has been merged.
        var merged = ShardInputs.Unsharded(path);
        return new FileFacts(merged, File.Exists(merged) ? ProblemSet.HashFile(merged) : "", shards[0].Facts.TotalRows);
    }

    private static ProblemSet LoadProblems(JsonObject record, Benchmark benchmark, string? given)
    {
        var recorded = Text(record["problems"]?["path"]) ?? "";
        var sha = Text(record["problems"]?["sha256"]);
        var path = given ?? recorded;
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new UserInputException($"{path}: the problems file the shards were evaluated against is not here; give a copy with --problems FILE.");
        var problems = benchmark.Load(path);
        if (problems.Sha256 != sha)
            throw new UserInputException($"{path}: is not the problems file the shards were evaluated against (SHA-256 {problems.Sha256}, the shards recorded {sha}).");
        return problems;
    }

    private static JsonObject ReadSummary(ShardInput shard)
    {
        var path = OutputPaths.Summary(shard.Path);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            throw new UserInputException($"{path}: the summary of shard {shard.Facts.Index}/{shard.Facts.Count} cannot be read ({e.Message}); run that shard again.");
        }
    }

    private static void WriteRecord(List<ShardInput> shards, string output, FileFacts samples)
    {
        var record = (JsonObject)shards[0].Record.DeepClone();
        record.Remove("shard");
        record["status"] = RunStatus.Completed;
        record["started_utc"] = shards.Select(s => Text(s.Record["started_utc"]) ?? "").Min(StringComparer.Ordinal);
        record["finished_utc"] = DateTimeOffset.UtcNow;
        record["samples"] = JsonSerializer.SerializeToNode(samples, Evaluator.SummaryJson);
        record["results_path"] = output;
        record["summary_path"] = OutputPaths.Summary(output);
        if (record["config"] is JsonObject config)
        {
            config["results_path"] = Path.GetFullPath(output);
            config["samples_path"] = Path.GetFullPath(samples.Path);
        }
        record["merged_from"] = ShardInputs.Provenance(shards);
        OutputFiles.Guard(OutputPaths.Config(output), () => AtomicFile.WriteAllText(OutputPaths.Config(output), record.ToJsonString(Evaluator.SummaryJson) + "\n"));
    }

    private static Dictionary<string, string> MergedConfig(JsonObject summary)
    {
        var config = (summary["config"] as JsonObject ?? []).ToDictionary(p => p.Key, p => Text(p.Value) ?? "");
        config["workers"] += " per shard";
        return config;
    }

    private static List<int> Ks(JsonObject summary) =>
        (Text(summary["config"]?["ks"]) ?? "1").Split(',').Select(k => int.Parse(k, CultureInfo.InvariantCulture)).ToList();

    private static double Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => 0,
    };

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
