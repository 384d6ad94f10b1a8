namespace CodexSharp.Execution.CSharp;

/// <summary>
/// How <see cref="CSharpProgramRunner"/> compiles and runs C# programs. The sandbox and its limits are the
/// Python runner's (<see cref="SandboxLimits"/>), with the same defaults; the .NET GC sizes itself to the memory limit.
/// </summary>
public sealed record CSharpRunnerOptions : SandboxLimits
{
    /// <summary>The dotnet host; a bare name is looked up on PATH. Its directory must hold a Microsoft.NETCore.App 10 runtime and reference pack. Default: "dotnet".</summary>
    public string DotnetPath { get; init; } = "dotnet";

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
