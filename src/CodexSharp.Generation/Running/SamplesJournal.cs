using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Io;

namespace CodexSharp.Generation.Running;

/// <summary>
/// A samples file opened for appending, on a <see cref="JournalFile"/>: opening takes the lock
/// <c>SAMPLES.lock</c>, reads what is already there (so a re-run knows which samples exist) and repairs a torn
/// last line left by a run killed mid-write. Each appended row is one write followed by a flush, so a crash
/// loses at most the row being written, never an earlier one.
/// </summary>
public sealed class SamplesJournal : IDisposable
{
    private readonly JournalFile _file;
    private readonly Dictionary<string, SortedSet<int>> _indices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _unindexed = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private SamplesJournal(JournalFile file) => _file = file;

    public string Path => _file.Path;

    /// <summary>Bytes of an incomplete last line that were cut off when the file was opened (0 if none).</summary>
    public int RepairedBytes => (int)_file.RepairedBytes;

    /// <summary>Task ids that have rows in the file.</summary>
    public IEnumerable<string> TaskIds => _indices.Keys.Union(_unindexed.Keys);

    /// <exception cref="UserInputException">
    /// The name ends in .gz (rows are appended as they arrive, which gzip cannot do), another run is writing the
    /// file, it cannot be written, or a complete line of it is not a sample row.
    /// </exception>
    public static SamplesJournal Open(string path)
    {
        if (JsonlFile.IsGzipName(path))
            throw new UserInputException($"{path}: samples are appended as they are generated, so they are written as plain JSONL; name the file .jsonl (compress it afterwards if you like).");
        var file = JournalFile.Open(path, path);
        try
        {
            var journal = new SamplesJournal(file);
            journal.ReadExisting();
            return journal;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>How many samples the file holds for <paramref name="taskId"/>.</summary>
    public int CountFor(string taskId) =>
        (_indices.TryGetValue(taskId, out var set) ? set.Count : 0) + _unindexed.GetValueOrDefault(taskId);

    /// <summary>The lowest sample indices not yet in the file, as many as are needed to reach <paramref name="n"/>.</summary>
    public List<int> MissingIndices(string taskId, int n)
    {
        var missing = new List<int>();
        var need = n - CountFor(taskId);
        var present = _indices.GetValueOrDefault(taskId);
        for (var index = 0; missing.Count < need; index++)
        {
            if (present is null || !present.Contains(index)) missing.Add(index);
        }
        return missing;
    }

    /// <summary>Appends one row and flushes it to the operating system. Thread-safe.</summary>
    public void Append(SampleRow row)
    {
        var line = row.ToJsonLine().TrimEnd('\n');
        lock (_gate)
        {
            _file.Append(line);
            Record(row.TaskId, row.SampleIndex);
        }
    }

    public void Dispose() => _file.Dispose();

    private void Record(string taskId, int? index)
    {
        if (index is { } i)
        {
            if (!_indices.TryGetValue(taskId, out var set)) _indices[taskId] = set = [];
            set.Add(i);
        }
        else
        {
            _unindexed[taskId] = _unindexed.GetValueOrDefault(taskId) + 1;
        }
    }

    private void ReadExisting()
    {
        for (var i = 0; i < _file.Lines.Count; i++)
        {
            var text = _file.Lines[i];
            long line = i + 1;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonObject? row;
            try
            {
                row = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                row = null;
            }
            if (row is null) throw UserInputException.At(Path, line, null, "is not a JSON object; the samples file is damaged (move it away to start over).");
            if (row["task_id"] is not JsonValue taskValue || !taskValue.TryGetValue<string>(out var taskId))
                throw UserInputException.At(Path, line, "task_id", "missing or not a string.");
            int? index = row["sample_index"] is JsonValue indexValue && indexValue.TryGetValue<int>(out var n) ? n : null;
            Record(taskId, index);
        }
    }
}
