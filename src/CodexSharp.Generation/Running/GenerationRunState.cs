namespace CodexSharp.Generation.Running;

/// <summary>A task the backend refused to generate for (e.g. its prompt is longer than the model's context), with the server's words.</summary>
public sealed record TaskFailure(string TaskId, string Error);

/// <summary>A task whose prompt an in-process model cut from the left to fit its context.</summary>
public sealed record PromptTruncation(string TaskId, int PromptTokensDropped);

/// <summary>The state of a run as its record states it.</summary>
/// <param name="Status">One of the <see cref="Core.RunStatus"/> words.</param>
/// <param name="SamplesInFile">Rows in the samples file.</param>
/// <param name="Failed">Tasks that failed to generate and still lack samples.</param>
/// <param name="Truncated">Tasks whose prompt was cut to fit the model.</param>
public sealed record GenerationRunState(string Status, int SamplesInFile, IReadOnlyList<TaskFailure> Failed, IReadOnlyList<PromptTruncation> Truncated);
