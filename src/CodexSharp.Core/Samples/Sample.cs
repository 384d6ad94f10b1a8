using System.Text.Json.Nodes;
using CodexSharp.Core.Io;

namespace CodexSharp.Core.Samples;

/// <summary>
/// One generated completion for a task. <paramref name="Index"/> is its position among the file's rows
/// (0-based) and <paramref name="Line"/> its line; <paramref name="Row"/> keeps every field of the input row.
/// </summary>
public sealed record Sample(int Index, long Line, string TaskId, string Completion, JsonObject Row);

/// <summary>Reads samples files: JSONL(.gz) rows with <c>task_id</c> and <c>completion</c>, other fields kept.</summary>
public static class SampleFile
{
    /// <summary>Reads every sample in file order.</summary>
    /// <exception cref="UserInputException">A row lacks task_id or completion, or the file holds no samples.</exception>
    public static IReadOnlyList<Sample> Read(string path)
    {
        var samples = new List<Sample>();
        foreach (var row in JsonlFile.Read(path))
        {
            var taskId = row.RequireString(path, "task_id");
            var completion = row.RequireString(path, "completion");
            samples.Add(new Sample(samples.Count, row.Line, taskId, completion, row.Object));
        }
        if (samples.Count == 0)
            throw new UserInputException($"{path}: holds no samples (expected JSON Lines with task_id and completion).");
        return samples;
    }
}
