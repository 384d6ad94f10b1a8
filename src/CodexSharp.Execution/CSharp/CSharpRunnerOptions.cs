namespace CodexSharp.Execution.CSharp;

/// <summary>
/// How <see cref="CSharpProgramRunner"/> compiles and runs C# programs. The sandbox and its limits are the
/// Python runner's (<see cref="PythonRunnerOptions"/>), with the same defaults.
/// </summary>
public sealed record CSharpRunnerOptions
{
    /// <summary>Programs compiled and run at once (1 to <see cref="PythonRunnerOptions.MaxWorkers"/>). Default: one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The dotnet host; a bare name is looked up on PATH. Its directory must hold a Microsoft.NETCore.App 10 runtime and reference pack. Default: "dotnet".</summary>
    public string DotnetPath { get; init; } = "dotnet";

    /// <summary>bubblewrap; a bare name is looked up on PATH. Default: "bwrap".</summary>
    public string BubblewrapPath { get; init; } = "bwrap";

    /// <summary>Address space of each program (RLIMIT_AS); 0 = no limit. Default: 4 GiB (the .NET GC sizes itself to it).</summary>
    public long MemoryLimitBytes { get; init; } = 4L << 30;

    /// <summary>Largest file a program may write (RLIMIT_FSIZE); 0 = no limit. Default: 256 MiB.</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>Size of each sandbox's private /tmp, a tmpfs that lives in RAM. Default: 512 MiB.</summary>
    public long TempDirectoryBytes { get; init; } = 512L << 20;

    /// <summary>Processes and threads a program may have at once (RLIMIT_NPROC). Default: 64 (the runtime itself uses about 10).</summary>
    public int MaxProcesses { get; init; } = 64;

    /// <summary>Open file descriptors per program (RLIMIT_NOFILE). Default: 256.</summary>
    public int MaxOpenFiles { get; init; } = 256;

    /// <summary>Characters of failure text kept (an exception message, the runtime's last words on stderr). Default: 64 Ki.</summary>
    public int MaxOutputBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// The longest a compilation may take; a program the compiler has not finished with by then fails with a
    /// message that says so. Compiling runs none of the program's code. Default: 30 s.
    /// </summary>
    public TimeSpan CompileTimeLimit { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Environment variables of every program's runtime, chosen for start-up time (measured in docs/csharp.md):
    /// no ICU (invariant globalization), no diagnostics server or debugger pipes, no tiered PGO instrumentation.
    /// </summary>
    public IReadOnlyDictionary<string, string> RuntimeEnvironment { get; init; } = DefaultRuntimeEnvironment;

    public static IReadOnlyDictionary<string, string> DefaultRuntimeEnvironment { get; } = new Dictionary<string, string>
    {
        ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
        ["DOTNET_EnableDiagnostics"] = "0",
        ["DOTNET_TieredPGO"] = "0",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };
}
