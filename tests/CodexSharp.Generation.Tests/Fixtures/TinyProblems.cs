using System.Diagnostics;
using CodexSharp.Core.Problems;
using CodexSharp.Generation.Running;

namespace CodexSharp.Generation.Tests.Fixtures;

/// <summary>The test project's own three-task problems file, and a way to run a completed program.</summary>
public static class TinyProblems
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "three-problems.jsonl");

    public static ProblemSet Load() => ProblemSet.Load(Path);

    public static IReadOnlyList<GenerationTask> Tasks() => Load().Problems.Select(p => new GenerationTask(p.TaskId, p.Prompt)).ToList();

    /// <summary>Runs a trusted test program with Debian's Python; returns its exit code and error output.</summary>
    public static (int ExitCode, string Stderr) RunPython(string program)
    {
        var file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cs-gen-{Guid.NewGuid():N}.py");
        File.WriteAllText(file, program);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", [file]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "timed out");
            }
            return (process.ExitCode, stderr.Result);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
