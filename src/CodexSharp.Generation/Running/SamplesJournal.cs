using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;

namespace CodexSharp.Generation.Running;

/// <summary>
/// A samples file opened for appending. On open it reads what is already there (so a re-run knows which
/// samples exist) and repairs a torn last line left by a run killed mid-write. Each appended row is one
/// write followed by a flush, so a crash loses at most the row being written, never an earlier one.
/// </summary>
public sealed class SamplesJournal : IDisposable
{
    private readonly FileStream _stream;
    private readonly Dictionary<string, SortedSet<int>> _indices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _unindexed = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private readonly FileStream _lock;

    private SamplesJournal(string path, FileStream stream, FileStream lockFile, int repairedBytes)
    {
        Path = path;
        _stream = stream;
        _lock = lockFile;
        RepairedBytes = repairedBytes;
    }

    public string Path { get; }

    /// <summary>Bytes of an incomplete last line that were cut off when the file was opened (0 if none).</summary>
    public int RepairedBytes { get; }

    /// <summary>Task ids that have rows in the file.</summary>
    public IEnumerable<string> TaskIds => _indices.Keys.Union(_unindexed.Keys);

    /// <exception cref="UserInputException">Another run is writing the file, or a complete line of it is not a sample row.</exception>
    public static SamplesJournal Open(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        var lockFile = TakeLock(path);
        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            var repaired = RepairTornTail(stream);
            var journal = new SamplesJournal(path, stream, lockFile, repaired);
            journal.ReadExisting();
            stream.Seek(0, SeekOrigin.End);
            return journal;
        }
        catch
        {
            stream?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>An exclusive lock beside the file, so two runs never append to it at once. The operating system
    /// drops the lock when a process dies, so a killed run never blocks the next one.</summary>
    private static FileStream TakeLock(string path)
    {
        var lockPath = path + ".lock";
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new UserInputException($"{path}: another run is writing this file (it holds {lockPath}); wait for it to finish or use another --out.");
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
        var bytes = Encoding.UTF8.GetBytes(row.ToJsonLine());
        lock (_gate)
        {
            _stream.Write(bytes);
            _stream.Flush();
            Record(row.TaskId, row.SampleIndex);
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _lock.Dispose();
    }

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
        _stream.Seek(0, SeekOrigin.Begin);
        using var reader = new StreamReader(_stream, new UTF8Encoding(false), false, 1 << 16, leaveOpen: true);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
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
            int? index = row["sample_index"] is JsonValue indexValue && indexValue.TryGetValue<int>(out var i) ? i : null;
            Record(taskId, index);
        }
    }

    /// <summary>Cuts the file back to its last newline when a run was killed in the middle of a row.</summary>
    private static int RepairTornTail(FileStream stream)
    {
        var length = stream.Length;
        if (length == 0) return 0;
        var buffer = new byte[Math.Min(length, 1 << 20)];
        var position = length;
        while (position > 0)
        {
            var chunk = (int)Math.Min(buffer.Length, position);
            position -= chunk;
            stream.Seek(position, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, chunk);
            var newline = Array.LastIndexOf(buffer, (byte)'\n', chunk - 1, chunk);
            if (newline >= 0)
            {
                var keep = position + newline + 1;
                if (keep == length) return 0;
                stream.SetLength(keep);
                return (int)(length - keep);
            }
        }
        stream.SetLength(0);
        return (int)length;
    }
}
