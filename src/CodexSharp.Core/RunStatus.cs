using System.Text.Json.Nodes;
using CodexSharp.Core.Io;

namespace CodexSharp.Core;

/// <summary>
/// The words of a run's <c>status</c>, one vocabulary for every stage's record (evaluate, generate, merge, train,
/// finetune). Training adds the ways a finished run can end: <c>early stop</c> and <c>time limit</c>.
/// </summary>
public static class RunStatus
{
    /// <summary>The run is working (or was killed while it was: read back as interrupted when no process holds its lock).</summary>
    public const string Running = "running";
    /// <summary>The run did all it was asked to.</summary>
    public const string Completed = "completed";
    /// <summary>The run finished, but the backend refused some tasks (listed in <c>failed_tasks</c>); a re-run retries them.</summary>
    public const string Incomplete = "incomplete";
    /// <summary>A fault or an error stopped the run.</summary>
    public const string Failed = "failed";
    /// <summary>Ctrl-C, or the process was killed.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>True for <see cref="Completed"/>, and for <c>complete</c>, the word earlier versions wrote for generate, train and finetune.</summary>
    public static bool IsCompleted(string? status) => status is Completed or "complete";

    /// <summary>
    /// The status <paramref name="record"/> states, as a reader should take it: <see cref="Running"/> in the record of an
    /// <paramref name="output"/> whose lock no process holds (the lock goes with a killed process) is
    /// <see cref="Interrupted"/>. Null when the record states none.
    /// </summary>
    public static string? Read(JsonObject? record, string output)
    {
        var status = record?["status"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        return status == Running && !JournalFile.IsLockHeld(output) ? Interrupted : status;
    }
}
