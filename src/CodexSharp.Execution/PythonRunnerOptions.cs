namespace CodexSharp.Execution;

/// <summary>
/// How <see cref="PythonProgramRunner"/> runs programs: the pool, the interpreter, the sandbox and the limits
/// every program runs under. Defaults match openai/human-eval's behaviour with a real sandbox around it.
/// </summary>
public sealed record PythonRunnerOptions
{
    /// <summary>The most workers a runner starts: four per core. More only add sandboxes that wait for a core.</summary>
    public static int MaxWorkers { get; } = 4 * Environment.ProcessorCount;

    /// <summary>Long-lived workers, each running one program at a time (1 to <see cref="MaxWorkers"/>). Default: one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The interpreter. Default: the system Python, which the sandbox can show read-only under /usr.</summary>
    public string PythonPath { get; init; } = "/usr/bin/python3";

    /// <summary>bubblewrap; a bare name is looked up on PATH. Default: "bwrap".</summary>
    public string BubblewrapPath { get; init; } = "bwrap";

    /// <summary>Address space of each program (RLIMIT_AS); 0 = no limit. Default: 4 GiB.</summary>
    public long MemoryLimitBytes { get; init; } = 4L << 30;

    /// <summary>Largest file a program may write (RLIMIT_FSIZE); 0 = no limit. Default: 256 MiB.</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>Size of each worker's private /tmp, a tmpfs that lives in RAM. Default: 512 MiB.</summary>
    public long TempDirectoryBytes { get; init; } = 512L << 20;

    /// <summary>Processes and threads a sandboxed program may have at once (RLIMIT_NPROC). Default: 64.</summary>
    public int MaxProcesses { get; init; } = 64;

    /// <summary>Open file descriptors per program (RLIMIT_NOFILE). Default: 256.</summary>
    public int MaxOpenFiles { get; init; } = 256;

    /// <summary>
    /// Characters of a program's stdout and stderr kept (in the sandbox, then dropped), and the longest failure
    /// text returned; the rest is discarded, so no program can grow this process's memory. Default: 64 Ki.
    /// </summary>
    public int MaxOutputBytes { get; init; } = 64 * 1024;

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
