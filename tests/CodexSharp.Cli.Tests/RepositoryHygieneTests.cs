using System.Diagnostics;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>What the repository says speaks of the project, not of the machine it was made on.</summary>
public sealed class RepositoryHygieneTests
{
    [Fact]
    public void No_tracked_doc_record_or_model_card_names_a_development_machines_folders()
    {
        var offending = new List<string>();
        foreach (var file in TrackedFiles().Where(f => f.StartsWith("docs/", StringComparison.Ordinal) || f.StartsWith("models/", StringComparison.Ordinal)
                     || f.StartsWith("bench/", StringComparison.Ordinal) || f == "README.md"))
        {
            var path = Path.Combine(TestPaths.RepoRoot, file);
            if (!File.Exists(path) || IsBinary(path)) continue;
            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                if (line.Contains("/work/", StringComparison.Ordinal) || line.Contains("/root/", StringComparison.Ordinal) || line.Contains("/home/", StringComparison.Ordinal))
                    offending.Add($"{file}:{number}");
            }
        }
        Assert.True(offending.Count == 0, "machine paths at: " + string.Join(", ", offending.Take(20)));
    }

    private static IEnumerable<string> TrackedFiles()
    {
        var info = new ProcessStartInfo("git", ["-C", TestPaths.RepoRoot, "ls-files"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var git = Process.Start(info)!;
        var files = git.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
        return files;
    }

    private static bool IsBinary(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[4096];
        var read = stream.Read(head);
        return head.AsSpan(0, read).Contains((byte)0);
    }
}
