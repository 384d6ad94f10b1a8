using System.Reflection;

namespace CodexSharp.Testing;

/// <summary>Where the repository and the shared benchmark data are, seen from a running test.</summary>
public static class TestPaths
{
    /// <summary>The repository root: the folder this test project was built from.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The shared data sets beside the repository (../shared/datasets, or ../../shared/datasets from a git
    /// worktree kept in a folder of worktrees); never copied into the repo.
    /// </summary>
    public static string SharedDatasets { get; } = FindSharedDatasets();

    /// <summary>openai/human-eval's HumanEval.jsonl.gz (164 tasks).</summary>
    public static string HumanEval => Path.Combine(SharedDatasets, "humaneval", "HumanEval.jsonl.gz");

    /// <summary>16,400 real CodeGen-Mono-16B HumanEval completions (n = 100 per task).</summary>
    public static string CodeGen16BSamples =>
        Path.Combine(SharedDatasets, "humaneval-samples-codet-codegen16b", "codegen16B_samples_humaneval_format.jsonl.gz");

    private static string FindSharedDatasets()
    {
        var beside = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets"));
        var above = Path.GetFullPath(Path.Combine(RepoRoot, "..", "..", "shared", "datasets"));
        return Directory.Exists(beside) || !Directory.Exists(above) ? beside : above;
    }

    private static string FindRepoRoot()
    {
        var built = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        if (built is not null && File.Exists(Path.Combine(built, "CodexSharp.slnx"))) return built;
        throw new InvalidOperationException($"Cannot find the repository root (CodexSharp.slnx) at '{built}', where this test project was built.");
    }
}
