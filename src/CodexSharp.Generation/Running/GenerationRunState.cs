namespace CodexSharp.Generation.Running;

/// <summary>A task the backend refused to generate for (e.g. its prompt is longer than the model's context), with the server's words.</summary>
public sealed record TaskFailure(string TaskId, string Error);

/// <summary>A task whose prompt an in-process model cut from the left to fit its context.</summary>
public sealed record PromptTruncation(string TaskId, int PromptTokensDropped);

/// <summary>The state of a run as its record states it.</summary>
/// <param name="Status">One of the <see cref="RunStatus"/> words.</param>
/// <param name="SamplesInFile">Rows in the samples file.</param>
/// <param name="Failed">Tasks that failed to generate and still lack samples.</param>
/// <param name="Truncated">Tasks whose prompt was cut to fit the model.</param>
public sealed record GenerationRunState(string Status, int SamplesInFile, IReadOnlyList<TaskFailure> Failed, IReadOnlyList<PromptTruncation> Truncated);

/// <summary>The words of a record's <c>status</c>.</summary>
public static class RunStatus
{
    /// <summary>A run is sampling (or was killed while it was: see <see cref="GenerationRecord.Read"/>).</summary>
    public const string Running = "running";
    /// <summary>Every task has its n samples.</summary>
    public const string Complete = "complete";
    /// <summary>The run finished, but the backend refused some tasks (listed in <c>failed_tasks</c>); a re-run retries them.</summary>
    public const string Incomplete = "incomplete";
    /// <summary>A backend fault or an error stopped the run.</summary>
    public const string Failed = "failed";
    /// <summary>Ctrl-C, or the process was killed.</summary>
    public const string Interrupted = "interrupted";
}
