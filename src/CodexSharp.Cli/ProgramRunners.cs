using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;
using CodexSharp.Execution;
using CodexSharp.Execution.CSharp;

namespace CodexSharp.Cli;

/// <summary>The sandboxed runner of each language a benchmark's programs may be written in (<see cref="Benchmark.Language"/>).</summary>
internal static class ProgramRunners
{
    /// <summary>Starts the runner for <paramref name="language"/> with the evaluation's workers, limits and sandbox.</summary>
    public static async Task<IProgramRunner> StartAsync(string language, EvaluationSettings settings, CancellationToken ct) => language switch
    {
        ProgramLanguages.Python => await PythonProgramRunner.StartAsync(PythonOptions(settings), ct),
        ProgramLanguages.CSharp => await CSharpProgramRunner.StartAsync(CSharpOptions(settings), ct),
        _ => throw new InvalidOperationException($"no program runner for the language '{language}' in this build."),
    };

    /// <summary>The Python runner's options for an evaluation's settings.</summary>
    public static PythonRunnerOptions PythonOptions(EvaluationSettings settings) => new()
    {
        Workers = settings.Workers,
        Unsandboxed = !settings.Sandboxed,
        MemoryLimitBytes = (long)settings.MemoryMb << 20,
    };

    /// <summary>The C# runner's options for an evaluation's settings; C# programs only ever run in the sandbox.</summary>
    public static CSharpRunnerOptions CSharpOptions(EvaluationSettings settings) => settings.Sandboxed
        ? new() { Workers = settings.Workers, MemoryLimitBytes = (long)settings.MemoryMb << 20 }
        : throw new Core.UserInputException("--unsafe-no-sandbox: C# programs always run in the sandbox; there is no unsandboxed C# runner.");
}
