using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodexSharp.Core.Io;

namespace CodexSharp.Core.Sharding;

/// <summary>One shard output a merge reads: the file, its record, and the shard facts the record holds.</summary>
public sealed record ShardInput(string Path, JsonObject Record, ShardFacts Facts)
{
    public override string ToString() => $"{Path} (shard {Facts.Index}/{Facts.Count})";
}

/// <summary>
/// The checks every merge makes before it writes anything: which files are shards (a folder stands for the shard
/// outputs in it), that each is complete and whole, that together they are every shard of one run exactly once,
/// made from the same inputs and settings, and that the output is none of them. Each refusal names the shard.
/// </summary>
public static partial class ShardInputs
{
    private static readonly JsonSerializerOptions FactsJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [GeneratedRegex(@"\.shard-(\d+)-of-(\d+)(\.jsonl\.gz|\.jsonl|\.json)?$")]
    private static partial Regex ShardName();

    /// <summary>The shard outputs named by <paramref name="arguments"/>: files as given, a folder as the shard outputs directly in it, by index.</summary>
    /// <exception cref="UserInputException">A path does not exist, or a folder holds no shard output.</exception>
    public static List<string> Expand(IEnumerable<string> arguments)
    {
        var paths = new List<string>();
        foreach (var argument in arguments)
        {
            if (Directory.Exists(argument))
            {
                var found = Directory.EnumerateFiles(argument).Where(f => ShardName().IsMatch(f)).OrderBy(f => f, StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new UserInputException($"{argument}: holds no shard output (files named NAME.shard-I-of-N.jsonl).");
                paths.AddRange(found);
            }
            else if (File.Exists(argument)) paths.Add(argument);
            else throw new UserInputException($"{argument}: no such file or folder.");
        }
        if (paths.Count == 0) throw new UserInputException("merge: give the shard outputs (files or a folder).");
        return paths;
    }

    /// <summary>
    /// Reads each shard's record and checks the set: every record there and complete (see <see cref="Unfinished"/>),
    /// one run's shards (equal <paramref name="identity"/>, count and plan), each index exactly once, none missing, no two
    /// holding the same rows, and <paramref name="output"/> none of them. Returns the shards by index.
    /// </summary>
    /// <exception cref="UserInputException">A check fails; the message names the shard and what to do.</exception>
    public static List<ShardInput> Check(IReadOnlyList<string> paths, string output, Func<JsonObject, JsonNode?> identity)
    {
        var shards = new List<ShardInput>();
        foreach (var path in paths)
        {
            OutputFiles.CheckOutput(output, (path, $"shard output {path}"), (OutputPaths.Config(path), $"record of shard {path}"), (OutputPaths.Summary(path), $"summary of shard {path}"));
            shards.Add(Read(path));
        }
        var first = shards[0];
        foreach (var shard in shards)
        {
            if (shard.Facts.Count != first.Facts.Count)
                throw new UserInputException($"{shard.Path}: is shard {shard.Facts.Index}/{shard.Facts.Count}, but {first.Path} is one of {first.Facts.Count} shards; merge the shards of one run.");
            if (shard.Facts.PlanSha256 != first.Facts.PlanSha256 || shard.Facts.TotalRows != first.Facts.TotalRows || !JsonNode.DeepEquals(identity(shard.Record), identity(first.Record)))
                throw new UserInputException($"{shard.Path}: was made from other inputs or settings than {first.Path} ({Difference(identity(first.Record), identity(shard.Record), shard.Facts.PlanSha256 != first.Facts.PlanSha256)}); merge the shards of one run.");
        }
        foreach (var group in shards.GroupBy(s => s.Facts.Index).Where(g => g.Count() > 1))
            throw new UserInputException($"shard {group.Key}/{first.Facts.Count} is given twice: {string.Join(" and ", group.Select(s => s.Path))}; give each shard once.");
        var byIndex = shards.OrderBy(s => s.Facts.Index).ToList();
        var missing = Enumerable.Range(0, first.Facts.Count).Where(i => byIndex.All(s => s.Facts.Index != i)).ToList();
        if (missing.Count > 0)
        {
            var expected = OutputPaths.Shard(Unsharded(first.Path), missing[0], first.Facts.Count);
            throw new UserInputException($"shard {missing[0]}/{first.Facts.Count} is missing (expected {expected}){(missing.Count > 1 ? $"; {missing.Count} shards are missing in all ({string.Join(", ", missing.Take(10))})" : "")}; run it, then merge again.");
        }
        foreach (var shard in byIndex)
        {
            if (Unfinished(shard) is { } why)
                throw new UserInputException($"{shard.Path}: shard {shard.Facts.Index}/{shard.Facts.Count} is not complete ({why}); run that shard again (it continues where it stopped), then merge.");
        }
        CheckDisjoint(byIndex);
        return byIndex;
    }

    /// <summary>
    /// Why a shard is not finished, or null when its record says it completed. A shard's output is the file its
    /// run locks (results or samples alike), so a record that says running while nothing holds that lock was killed.
    /// </summary>
    private static string? Unfinished(ShardInput shard)
    {
        var status = RunStatus.Read(shard.Record, shard.Path) ?? "unknown";
        if (RunStatus.IsCompleted(status)) return null;
        return status == RunStatus.Interrupted && shard.Record["status"] is JsonValue stated && stated.TryGetValue<string>(out var text) && text == RunStatus.Running
            ? "its record says running, but no run holds it: it was killed"
            : $"its record says {status}";
    }

    /// <summary>The complete lines of a shard's output, checked whole: it ends with a newline and holds the rows its record promises.</summary>
    /// <exception cref="UserInputException">The file was cut mid-line or holds another number of rows.</exception>
    public static List<string> ReadLines(ShardInput shard)
    {
        CheckWhole(shard);
        var lines = JsonlFile.ReadLines(shard.Path).Select(l => l.Text).ToList();
        if (lines.Count != shard.Facts.Rows)
            throw new UserInputException($"{shard.Path}: holds {lines.Count} rows, but its record says shard {shard.Facts.Index}/{shard.Facts.Count} has {shard.Facts.Rows}; run that shard again, then merge.");
        return lines;
    }

    /// <summary>Refuses a plain shard file whose last line is cut (a gzip file cut short fails its CRC check when read).</summary>
    public static void CheckWhole(ShardInput shard)
    {
        using var stream = new FileStream(shard.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length == 0 || JsonlFile.IsGzipName(shard.Path)) return;
        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() != '\n')
            throw new UserInputException($"{shard.Path}: its last line is cut short (a copy or a run stopped mid-write); run shard {shard.Facts.Index}/{shard.Facts.Count} again, which repairs it, then merge.");
    }

    /// <summary>Rows of task shards in the merged samples' order: tasks by their position in the run, each task's rows by sample index.</summary>
    public static IEnumerable<string> InTaskOrder(List<ShardInput> shards)
    {
        var byPosition = new SortedDictionary<int, List<(int SampleIndex, int Order, string Line)>>();
        foreach (var shard in shards)
        {
            var position = shard.Facts.Tasks!.Select((t, i) => (t, shard.Facts.Positions![i])).ToDictionary(p => p.t, p => p.Item2, StringComparer.Ordinal);
            var lines = ShardInputs.ReadLines(shard);
            for (var n = 0; n < lines.Count; n++)
            {
                var row = JsonNode.Parse(lines[n]) as JsonObject;
                var taskId = (row?["task_id"] is JsonValue tv && tv.TryGetValue<string>(out var tid) ? tid : null) ?? throw UserInputException.At(shard.Path, n + 1, "task_id", "missing or not a string.");
                if (!position.TryGetValue(taskId, out var p))
                    throw UserInputException.At(shard.Path, n + 1, "task_id", $"'{taskId}' is not one of the tasks of shard {shard.Facts.Index}/{shard.Facts.Count}.");
                var index = row?["sample_index"] is JsonValue v && v.TryGetValue<int>(out var k) ? k : int.MaxValue;
                if (!byPosition.TryGetValue(p, out var list)) byPosition[p] = list = [];
                list.Add((index, n, lines[n]));
            }
        }
        foreach (var list in byPosition.Values)
            foreach (var row in list.OrderBy(r => r.SampleIndex).ThenBy(r => r.Order)) yield return row.Line;
    }

    /// <summary>What the merge records about each shard it read: path, SHA-256, rows.</summary>
    public static JsonArray Provenance(IEnumerable<ShardInput> shards) =>
        new(shards.Select(s => (JsonNode)new JsonObject { ["path"] = Path.GetFullPath(s.Path), ["sha256"] = Problems.ProblemSet.HashFile(s.Path), ["rows"] = s.Facts.Rows }).ToArray());

    /// <summary>The shard facts as a record writes them (snake_case).</summary>
    public static JsonNode? ToJson(ShardFacts facts) => JsonSerializer.SerializeToNode(facts, FactsJson);

    /// <summary>The output a shard file is part of: <c>NAME.jsonl</c> for <c>NAME.shard-I-of-N.jsonl</c>.</summary>
    public static string Unsharded(string shardPath) => ShardName().Replace(shardPath, m => m.Groups[3].Value);

    private static ShardInput Read(string path)
    {
        var recordPath = OutputPaths.Config(path);
        if (!File.Exists(recordPath))
            throw new UserInputException($"{path}: has no record ({recordPath}); only the outputs of a --shard run can be merged.");
        JsonObject record;
        try
        {
            record = JsonNode.Parse(File.ReadAllText(recordPath)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{recordPath}: is not a JSON object ({e.Message}); the record of {path} is damaged.");
        }
        if (record["shard"] is not JsonObject shard)
            throw new UserInputException($"{path}: its record ({recordPath}) names no shard; it is the output of a whole run, not of a --shard run.");
        ShardFacts facts;
        try
        {
            facts = shard.Deserialize<ShardFacts>(FactsJson) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{recordPath}: field 'shard': {e.Message}");
        }
        return new ShardInput(path, record, facts);
    }

    /// <summary>No two shards hold the same row or task.</summary>
    private static void CheckDisjoint(List<ShardInput> shards)
    {
        var rowOwner = new ShardInput?[shards[0].Facts.TotalRows];
        var taskOwner = new Dictionary<string, ShardInput>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            foreach (var range in shard.Facts.RowRanges ?? [])
            {
                if (range.Length != 2 || range[0] < 0 || range[1] > rowOwner.Length || range[0] >= range[1])
                    throw new UserInputException($"{OutputPaths.Config(shard.Path)}: field 'shard.row_ranges': [{string.Join(", ", range)}] is not a range of the {rowOwner.Length} rows.");
                for (var i = range[0]; i < range[1]; i++)
                {
                    if (rowOwner[i] is { } other) throw Overlap(shard, $"row {i}", other);
                    rowOwner[i] = shard;
                }
            }
            foreach (var task in shard.Facts.Tasks ?? [])
            {
                if (taskOwner.TryGetValue(task, out var other)) throw Overlap(shard, $"task {task}", other);
                taskOwner[task] = shard;
            }
        }
        static UserInputException Overlap(ShardInput shard, string what, ShardInput other) =>
            new($"{shard.Path}: holds {what}, which {other.Path} holds too; the shards overlap (were they made with different plans?).");
    }

    private static string Difference(JsonNode? a, JsonNode? b, bool plan)
    {
        if (plan) return "a different split of the work: another samples file or number of tasks";
        if (a is JsonObject x && b is JsonObject y)
        {
            var keys = x.Select(p => p.Key).Union(y.Select(p => p.Key)).Where(k => !JsonNode.DeepEquals(x[k], y[k])).ToList();
            if (keys.Count > 0) return string.Join("; ", keys.Select(k => $"{k}: {Show(x[k])} vs {Show(y[k])}"));
        }
        return "their records differ";
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "(none)";
        return text.Length > 80 ? text[..77] + "..." : text;
    }

}
