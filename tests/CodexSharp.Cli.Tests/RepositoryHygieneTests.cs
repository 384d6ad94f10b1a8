using System.Diagnostics;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>What the repository says speaks of the project, not of the machine it was made on.</summary>
public sealed class RepositoryHygieneTests
{
    /// <summary>
    /// The folders of this machine that committed text must not name: the workspace that holds the repository
    /// (its data sets and worktrees beside it) and the user's home, as absolute paths. (The temporary folder is
    /// not one: docs name the sandbox's own /tmp.)
    /// </summary>
    private static readonly string[] MachineFolders =
        new[] { Path.GetDirectoryName(TestPaths.RepoRoot), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) }
            .Where(folder => !string.IsNullOrEmpty(folder) && Path.GetFullPath(folder) != "/")
            .Select(folder => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder!)) + "/")
            .Distinct()
            .ToArray();

    [Fact]
    public void No_tracked_text_file_names_a_development_machines_folders()
    {
        Assert.NotEmpty(MachineFolders);
        var offending = new List<string>();
        foreach (var file in TrackedFiles())
        {
            var path = Path.Combine(TestPaths.RepoRoot, file);
            // Weights and samples are data; every text file a person reads (docs, records, cards, code) is checked.
            if (!File.Exists(path) || new FileInfo(path).Length > 1 << 20 || IsBinary(path)) continue;
            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                if (MachineFolders.FirstOrDefault(folder => line.Contains(folder, StringComparison.Ordinal)) is { } named)
                    offending.Add($"{file}:{number} ({named})");
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
