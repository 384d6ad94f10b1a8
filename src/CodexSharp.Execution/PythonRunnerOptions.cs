namespace CodexSharp.Execution;

/// <summary>
/// How <see cref="PythonProgramRunner"/> runs programs: the pool, the interpreter, the sandbox and the limits
/// every program runs under. Defaults match openai/human-eval's behaviour with a real sandbox around it.
/// </summary>
public sealed record PythonRunnerOptions : SandboxLimits
{
    /// <summary>The interpreter. Default: the system Python, which the sandbox can show read-only under /usr.</summary>
    public string PythonPath { get; init; } = "/usr/bin/python3";

    /// <summary>
    /// A worker that has not answered this long after its program's own time limit is killed and replaced;
    /// the program gets a "failed" verdict that says so. Default: 10 s.
    /// </summary>
    public TimeSpan WatchdogTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a new worker may take to import its modules and say it is ready. Default: 60 s.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs programs without bubblewrap: no filesystem, network or PID isolation, only rlimits and process-group
    /// clean-up. Only for machines where the sandbox cannot run, and only when the user asked explicitly.
    /// Default: false.
    /// </summary>
    public bool Unsandboxed { get; init; }
}
