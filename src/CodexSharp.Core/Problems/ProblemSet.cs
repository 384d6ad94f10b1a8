using System.Security.Cryptography;
using CodexSharp.Core.Io;

namespace CodexSharp.Core.Problems;

/// <summary>The problems of one file, in file order, by task id, with the file's SHA-256.</summary>
public sealed class ProblemSet
{
    private readonly Dictionary<string, Problem> _byId;
    private readonly IReadOnlyDictionary<string, long>? _lines;

    private ProblemSet(string path, IReadOnlyList<Problem> problems, string sha256, IReadOnlyDictionary<string, long>? lines = null)
    {
        Path = path;
        Problems = problems;
        Sha256 = sha256;
        _byId = problems.ToDictionary(p => p.TaskId, StringComparer.Ordinal);
        _lines = lines;
    }

    /// <summary>The line of a JSONL problems file that holds <paramref name="taskId"/> (for messages); 0 when not known.</summary>
    public long LineOf(string taskId) => _lines is not null && _lines.TryGetValue(taskId, out var line) ? line : 0;

    public string Path { get; }

    public IReadOnlyList<Problem> Problems { get; }

    /// <summary>Lower-case hex SHA-256 of the file's bytes, as stored (compressed or not).</summary>
    public string Sha256 { get; }

    public int Count => Problems.Count;

    /// <summary>Problems read by a benchmark from its own layout; <paramref name="sha256"/> identifies the source (file or folder).</summary>
    /// <exception cref="UserInputException">Two problems share a task id, or there are none.</exception>
    public static ProblemSet Create(string path, IReadOnlyList<Problem> problems, string sha256)
    {
        if (problems.Count == 0) throw new UserInputException($"{path}: holds no problems.");
        var twice = problems.GroupBy(p => p.TaskId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new UserInputException($"{path}: task id '{twice.Key}' appears twice.");
        return new ProblemSet(path, problems, sha256);
    }

    public bool TryGet(string taskId, out Problem problem) => _byId.TryGetValue(taskId, out problem!);

    /// <summary>Reads a HumanEval-format JSONL(.gz) file. Extra fields are kept in <see cref="Problem.Row"/>.</summary>
    /// <exception cref="UserInputException">A row lacks a field, repeats a task id, or the file holds no problems.</exception>
    public static ProblemSet Load(string path)
    {
        var problems = new List<Problem>();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in JsonlFile.Read(path))
        {
            var taskId = row.RequireString(path, "task_id");
            if (seen.TryGetValue(taskId, out var first))
                throw UserInputException.At(path, row.Line, "task_id", $"'{taskId}' appears twice (first on line {first}).");
            seen[taskId] = row.Line;
            problems.Add(new Problem(
                taskId,
                row.RequireString(path, "prompt"),
                row.RequireString(path, "canonical_solution"),
                row.RequireString(path, "test"),
                row.RequireString(path, "entry_point"),
                row.Object));
        }
        if (problems.Count == 0) throw new UserInputException($"{path}: holds no problems.");
        return new ProblemSet(path, problems, HashFile(path), seen);
    }

    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
