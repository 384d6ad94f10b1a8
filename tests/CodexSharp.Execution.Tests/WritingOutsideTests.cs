namespace CodexSharp.Execution.Tests;

/// <summary>Programs that try to write or delete outside their private directory, or leave files on the host.</summary>
[Collection(SandboxCollection.Name)]
public sealed class WritingOutsideTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _hostDirectory = Directory.CreateTempSubdirectory("codexsharp-host-").FullName;

    [Fact]
    public async Task Nothing_outside_the_private_temp_directory_is_writable()
    {
        var victim = Path.Combine(_hostDirectory, "keep.txt");
        File.WriteAllText(victim, "keep");
        var targets = new[] { Path.Combine(_hostDirectory, "escaped.txt"), "/usr/escaped.txt", "/escaped.txt", "/dev/shm/escaped.txt", "/etc/escaped.txt", Path.Combine(Testing.TestPaths.RepoRoot, "escaped.txt") };
        var program = "import posix\nwritten = []\n" +
                      $"for path in [{string.Join(", ", targets.Select(ReadingWhatItShouldNotTests.PythonString))}]:\n" +
                      "    try:\n        open(path, 'w').write('x')\n        written.append(path)\n    except OSError:\n        pass\n" +
                      $"try:\n    posix.unlink({ReadingWhatItShouldNotTests.PythonString(victim)})\n    written.append('deleted')\nexcept OSError:\n    pass\n" +
                      "assert written\n";
        var result = await sandbox.RunAsync(program);
        Assert.Equal("failed: ", result.Result);
        Assert.All(targets, target => Assert.False(File.Exists(target), target));
        Assert.Equal("keep", File.ReadAllText(victim));
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task Files_a_program_writes_in_its_tmp_never_reach_the_hosts_tmp()
    {
        var marker = "codexsharp-leak-" + Guid.NewGuid().ToString("N");
        var program = $"open('/tmp/{marker}', 'w').write('x')\nopen('{marker}', 'w').write('x')\nimport os\nassert os.path.exists('/tmp/{marker}')\n";
        Assert.Equal("passed", (await sandbox.RunAsync(program)).Result);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), marker + "*", SearchOption.TopDirectoryOnly));
        await sandbox.AssertHealthyAsync();
    }

    public void Dispose() => Directory.Delete(_hostDirectory, recursive: true);
}
