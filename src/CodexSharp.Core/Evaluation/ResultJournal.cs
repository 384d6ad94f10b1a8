using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;

namespace CodexSharp.Core.Evaluation;

/// <summary>One verdict as the journal stores it, keyed by the sample's row index.</summary>
public sealed record JournalEntry(int Index, ExecutionStatus Status, string Result, double DurationMs, bool Rerun);

/// <summary>
/// The append-only record of an evaluation in progress (<c>RESULTS.partial</c>): a header that ties it to
/// one samples file, problems file and time-limit policy, then one line per verdict, flushed as each
/// verdict arrives. After a crash — even kill -9 in the middle of a line — a re-run reads it back, drops a
/// torn last line and carries on. The finished results file is written from it in input order.
/// </summary>
public sealed class ResultJournal : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    private ResultJournal(string path, StreamWriter writer, Dictionary<int, JournalEntry> entries, Dictionary<string, double>? limits)
    {
        Path = path;
        _writer = writer;
        Entries = entries;
        CalibratedLimitsSeconds = limits;
    }

    public string Path { get; }

    /// <summary>The latest verdict for each sample index read back or recorded so far.</summary>
    public Dictionary<int, JournalEntry> Entries { get; }

    /// <summary>Per-task limits recorded by an earlier, interrupted run, if any.</summary>
    public Dictionary<string, double>? CalibratedLimitsSeconds { get; private set; }

    /// <summary>
    /// Opens the journal at <paramref name="path"/>. An existing journal whose header equals
    /// <paramref name="header"/> is continued; any other is discarded and <paramref name="discarded"/> is set.
    /// </summary>
    public static ResultJournal Open(string path, JsonObject header, out bool discarded)
    {
        discarded = false;
        var entries = new Dictionary<int, JournalEntry>();
        Dictionary<string, double>? limits = null;
        var headerText = header.ToJsonString(JsonlFile.WriteOptions);
        if (File.Exists(path))
        {
            var validLength = ReadExisting(path, headerText, entries, ref limits);
            if (validLength < 0)
            {
                discarded = true;
                File.Delete(path);
            }
            else
            {
                // Cut a torn last line so the next append starts on a line of its own.
                using var truncate = new FileStream(path, FileMode.Open, FileAccess.Write);
                truncate.SetLength(validLength);
            }
        }
        var fresh = !File.Exists(path);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var writer = new StreamWriter(stream, new UTF8Encoding(false));
        if (fresh)
        {
            writer.Write(headerText);
            writer.Write('\n');
            writer.Flush();
        }
        return new ResultJournal(path, writer, entries, limits);
    }

    /// <summary>Records the per-task limits so that a resumed run uses the same ones.</summary>
    public void RecordLimits(IReadOnlyDictionary<string, double> limitsSeconds)
    {
        var node = new JsonObject { ["limits"] = JsonSerializer.SerializeToNode(limitsSeconds) };
        Append(node);
        CalibratedLimitsSeconds = new Dictionary<string, double>(limitsSeconds);
    }

    /// <summary>Records a verdict and flushes it to the file before returning.</summary>
    public void Record(JournalEntry entry)
    {
        var node = new JsonObject
        {
            ["i"] = entry.Index,
            ["status"] = entry.Status.ToString(),
            ["result"] = entry.Result,
            ["ms"] = Math.Round(entry.DurationMs, 2),
        };
        if (entry.Rerun) node["rerun"] = true;
        lock (_gate)
        {
            Entries[entry.Index] = entry;
            JsonlFile.WriteRow(_writer, node);
            _writer.Flush();
        }
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>Removes the journal once the results file is complete.</summary>
    public void Delete()
    {
        Dispose();
        File.Delete(Path);
    }

    private void Append(JsonNode node)
    {
        lock (_gate)
        {
            JsonlFile.WriteRow(_writer, node);
            _writer.Flush();
        }
    }

    /// <summary>Reads entries; returns the byte length of the valid prefix, or -1 if the header differs.</summary>
    private static long ReadExisting(string path, string headerText, Dictionary<int, JournalEntry> entries, ref Dictionary<string, double>? limits)
    {
        var bytes = File.ReadAllBytes(path);
        long offset = 0;
        var first = true;
        while (offset < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', (int)offset);
            if (end < 0) break; // torn last line
            var line = Encoding.UTF8.GetString(bytes, (int)offset, (int)(end - offset));
            if (first)
            {
                if (line != headerText) return -1;
                first = false;
            }
            else if (!TryParse(line, entries, ref limits))
            {
                break;
            }
            offset = end + 1;
        }
        return first ? -1 : offset;
    }

    private static bool TryParse(string line, Dictionary<int, JournalEntry> entries, ref Dictionary<string, double>? limits)
    {
        try
        {
            if (JsonNode.Parse(line) is not JsonObject row) return false;
            if (row["limits"] is JsonObject limitRow)
            {
                limits = limitRow.ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
                return true;
            }
            var entry = new JournalEntry(
                row["i"]!.GetValue<int>(),
                Enum.Parse<ExecutionStatus>(row["status"]!.GetValue<string>()),
                row["result"]!.GetValue<string>(),
                row["ms"]!.GetValue<double>(),
                row["rerun"]?.GetValue<bool>() ?? false);
            entries[entry.Index] = entry;
            return true;
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or ArgumentException or FormatException)
        {
            return false;
        }
    }
}
