using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;

namespace CodexSharp.Core.Evaluation;

/// <summary>
/// One verdict as the journal stores it, keyed by the sample's row index; <c>Flags</c> holds the benchmark's
/// further per-sample verdicts (e.g. base_passed), or null.
/// </summary>
public sealed record JournalEntry(int Index, ExecutionStatus Status, string Result, double DurationMs, bool Rerun,
    IReadOnlyDictionary<string, bool>? Flags = null);

/// <summary>
/// The append-only record of an evaluation in progress (<c>RESULTS.partial</c>, built on <see cref="JournalFile"/>): a header that ties it to
/// one samples file, problems file and time-limit policy, then one line per verdict, flushed as each
/// verdict arrives. After a crash — even kill -9 in the middle of a line — a re-run reads it back, drops a
/// torn last line and carries on. The finished results file is written from it in input order.
/// </summary>
public sealed class ResultJournal : IDisposable
{
    private readonly JournalFile _file;
    private readonly Lock _gate = new();

    private ResultJournal(JournalFile file, Dictionary<int, JournalEntry> entries, Dictionary<string, double>? limits)
    {
        _file = file;
        Entries = entries;
        CalibratedLimitsSeconds = limits;
    }

    public string Path => _file.Path;

    /// <summary>The latest verdict for each sample index read back or recorded so far.</summary>
    public Dictionary<int, JournalEntry> Entries { get; }

    /// <summary>Per-task limits recorded by an earlier, interrupted run, if any.</summary>
    public Dictionary<string, double>? CalibratedLimitsSeconds { get; private set; }

    /// <summary>
    /// Opens the journal of <paramref name="output"/> (<c>OUTPUT.partial</c>), holding <c>OUTPUT.lock</c> until
    /// disposed. An existing journal whose header equals <paramref name="header"/> is continued; any other is
    /// discarded and <paramref name="discarded"/> is set.
    /// </summary>
    /// <exception cref="UserInputException">Another run holds the lock, or the journal cannot be written.</exception>
    public static ResultJournal Open(string output, JsonObject header, out bool discarded)
    {
        var file = JournalFile.Open(OutputPaths.Journal(output), output);
        var entries = new Dictionary<int, JournalEntry>();
        Dictionary<string, double>? limits = null;
        var headerText = header.ToJsonString(JsonlFile.WriteOptions);
        discarded = file.Lines.Count > 0 && file.Lines[0] != headerText;
        if (file.Lines.Count > 0 && !discarded)
        {
            var valid = 1;
            while (valid < file.Lines.Count && TryParse(file.Lines[valid], entries, ref limits)) valid++;
            if (valid < file.Lines.Count) file.KeepFirst(valid);
        }
        else
        {
            file.KeepFirst(0);
            file.Append(headerText);
        }
        return new ResultJournal(file, entries, limits);
    }

    /// <summary>Records the per-task limits so that a resumed run uses the same ones.</summary>
    public void RecordLimits(IReadOnlyDictionary<string, double> limitsSeconds)
    {
        var node = new JsonObject { ["limits"] = JsonSerializer.SerializeToNode(limitsSeconds) };
        _file.Append(node.ToJsonString(JsonlFile.WriteOptions));
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
        if (entry.Flags is { Count: > 0 } flags) node["flags"] = new JsonObject(flags.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value)));
        var line = node.ToJsonString(JsonlFile.WriteOptions);
        lock (_gate)
        {
            Entries[entry.Index] = entry;
            _file.Append(line);
        }
    }

    /// <summary>Closes the journal and releases the output's lock.</summary>
    public void Dispose() => _file.Dispose();

    /// <summary>Removes the journal once the results file is complete, and releases the lock.</summary>
    public void Delete() => _file.Delete();

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
                row["rerun"]?.GetValue<bool>() ?? false,
                (row["flags"] as JsonObject)?.ToDictionary(f => f.Key, f => f.Value!.GetValue<bool>()));
            entries[entry.Index] = entry;
            return true;
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or ArgumentException or FormatException)
        {
            return false;
        }
    }
}
