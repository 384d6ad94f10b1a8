namespace CodexSharp.Execution;

/// <summary>
/// What every sandboxed runner shares, whatever the language: the pool, bubblewrap, and the limits each program
/// runs under. Defaults match openai/human-eval's behaviour with a real sandbox around it.
/// </summary>
public abstract record SandboxLimits
{
    /// <summary>The most workers a runner starts: four per core. More only add sandboxes that wait for a core.</summary>
    public static int MaxWorkers { get; } = 4 * Environment.ProcessorCount;

    /// <summary>Programs run at once (1 to <see cref="MaxWorkers"/>). Default: one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>bubblewrap; a bare name is looked up on PATH. Default: "bwrap".</summary>
    public string BubblewrapPath { get; init; } = "bwrap";

    /// <summary>Address space of each program (RLIMIT_AS); 0 = no limit. Default: 4 GiB.</summary>
    public long MemoryLimitBytes { get; init; } = 4L << 30;

    /// <summary>Largest file a program may write (RLIMIT_FSIZE); 0 = no limit. Default: 256 MiB.</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>Size of each sandbox's private /tmp, a tmpfs that lives in RAM. Default: 512 MiB.</summary>
    public long TempDirectoryBytes { get; init; } = 512L << 20;

    /// <summary>Processes and threads a sandboxed program may have at once (RLIMIT_NPROC). Default: 64.</summary>
    public int MaxProcesses { get; init; } = 64;

    /// <summary>Open file descriptors per program (RLIMIT_NOFILE). Default: 256.</summary>
    public int MaxOpenFiles { get; init; } = 256;

    /// <summary>
    /// Characters of a program's output and of its failure text that are kept; the rest is discarded, so no
    /// program can grow this process's memory. Default: 64 Ki.
    /// </summary>
    public int MaxOutputBytes { get; init; } = 64 * 1024;
}
