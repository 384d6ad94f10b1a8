using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;
using CodexSharp.Execution;

namespace CodexSharp.Cli;

/// <summary>The sandboxed runner of each language a benchmark's programs may be written in (<see cref="Benchmark.Language"/>).</summary>
internal static class ProgramRunners
{
    /// <summary>Starts the runner for <paramref name="language"/> with the evaluation's workers, limits and sandbox.</summary>
    public static async Task<IProgramRunner> StartAsync(string language, EvaluationSettings settings, CancellationToken ct) => language switch
    {
        ProgramLanguages.Python => await PythonProgramRunner.StartAsync(PythonOptions(settings), ct),
        _ => throw new InvalidOperationException($"no program runner for the language '{language}' in this build."),
    };

    /// <summary>The Python runner's options for an evaluation's settings.</summary>
    public static PythonRunnerOptions PythonOptions(EvaluationSettings settings) => new()
    {
        Workers = settings.Workers,
        Unsandboxed = !settings.Sandboxed,
        MemoryLimitBytes = (long)settings.MemoryMb << 20,
    };
}
