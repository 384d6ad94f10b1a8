namespace CodexSharp.Core.Io;

/// <summary>
/// The one naming rule for the files a stage writes beside its output. For an output <c>DIR/NAME.jsonl</c>
/// (or <c>.jsonl.gz</c>, <c>.json</c>) the run's record is <c>DIR/NAME.config.json</c> and a summary
/// <c>DIR/NAME.summary.json</c>; the journal of a run in progress is <c>OUTPUT.partial</c> and its lock
/// <c>OUTPUT.lock</c>.
/// </summary>
public static class OutputPaths
{
    private static readonly string[] DataExtensions = [".jsonl.gz", ".jsonl", ".json"];

    /// <summary><c>NAME.KIND.json</c> beside <paramref name="outputPath"/>, with its data extension dropped.</summary>
    public static string Sidecar(string outputPath, string kind)
    {
        var stem = outputPath;
        foreach (var extension in DataExtensions)
        {
            if (!stem.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) continue;
            stem = stem[..^extension.Length];
            break;
        }
        return $"{stem}.{kind}.json";
    }

    /// <summary>
    /// Shard <paramref name="index"/> of <paramref name="count"/>'s output beside <paramref name="outputPath"/>:
    /// <c>DIR/NAME.shard-I-of-N.jsonl</c> for <c>DIR/NAME.jsonl</c> (the data extension kept, so its record is
    /// <c>DIR/NAME.shard-I-of-N.config.json</c>).
    /// </summary>
    public static string Shard(string outputPath, int index, int count)
    {
        var extension = DataExtensions.FirstOrDefault(e => outputPath.EndsWith(e, StringComparison.OrdinalIgnoreCase)) ?? "";
        return $"{outputPath[..^extension.Length]}.shard-{index}-of-{count}{outputPath[^extension.Length..]}";
    }

    /// <summary>The run's record: the stage's resolved config, tool version, inputs and status.</summary>
    public static string Config(string outputPath) => Sidecar(outputPath, "config");

    /// <summary>The stage's summary (evaluate: pass@k, counts, timings).</summary>
    public static string Summary(string outputPath) => Sidecar(outputPath, "summary");

    /// <summary>The append-only journal of a run in progress.</summary>
    public static string Journal(string outputPath) => outputPath + ".partial";

    /// <summary>The lock that keeps a second run from writing the same output.</summary>
    public static string Lock(string outputPath) => outputPath + ".lock";
}
