namespace CodexSharp.Execution.Tests;

/// <summary>
/// Programs that try to read what is not theirs. Each hostile program passes only if its attack works, so a
/// passing verdict here means a hole in the sandbox.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ReadingWhatItShouldNotTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Environment_variables_of_the_host_are_invisible()
    {
        Assert.Equal(SandboxFixture.SecretValue, Environment.GetEnvironmentVariable(SandboxFixture.SecretVariable));
        var program = $$"""
            import os, glob
            found = [k for k, v in os.environ.items() if '{{SandboxFixture.SecretValue}}' in v]
            for path in glob.glob('/proc/*/environ'):
                try:
                    if b'{{SandboxFixture.SecretValue}}' in open(path, 'rb').read():
                        found.append(path)
                except OSError:
                    pass
            assert found, sorted(os.environ)
            """;
        var result = await sandbox.RunAsync(program);
        Assert.False(result.Passed, result.Result);
        Assert.StartsWith("failed: [", result.Result);
        Assert.DoesNotContain(SandboxFixture.SecretVariable, result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task The_users_home_is_invisible()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(home));
        var result = await sandbox.RunAsync($"import os\nassert os.listdir({PythonString(home)})\n");
        Assert.False(result.Passed, result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task The_working_tree_and_shared_data_are_invisible()
    {
        var solution = Path.Combine(Testing.TestPaths.RepoRoot, "CodexSharp.slnx");
        Assert.True(File.Exists(solution));
        var program = $"import os\nvisible = [p for p in ({PythonString(solution)}, {PythonString(Testing.TestPaths.SharedDatasets)}, '/work', '/root', '/home', '/etc/passwd', '/etc/resolv.conf') if os.path.exists(p)]\nassert visible, os.listdir('/')\n";
        var result = await sandbox.RunAsync(program);
        Assert.False(result.Passed, result.Result);
        // The sandbox's root holds the system directories and nothing else (which /lib* exist depends on the host).
        var allowed = new[] { "bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr" };
        var listing = Listing(result.Result);
        Assert.Contains("usr", listing);
        Assert.All(listing, entry => Assert.Contains(entry, allowed));
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task Files_of_another_program_are_invisible_during_and_after_it()
    {
        // The writer leaves files in its own directory and in /tmp, then stays alive while readers look.
        var writer = sandbox.RunAsync("open('secret.txt', 'w').write('s')\nopen('/tmp/left-behind', 'w').write('s')\nimport time\ntime.sleep(1.5)\n");
        await Task.Delay(300);
        var reader = "import os\nfound = []\nfor root, dirs, files in os.walk('/tmp'):\n    found += [os.path.join(root, f) for f in files]\nassert found\n";
        var during = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => sandbox.RunAsync(reader)));
        Assert.Equal("passed", (await writer).Result);
        var after = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => sandbox.RunAsync(reader)));
        Assert.All(during.Concat(after), result => Assert.Equal("failed: ", result.Result));
        await sandbox.AssertHealthyAsync();
    }

    /// <summary>The names in a "failed: ['a', 'b']" result (the text of a failed assertion on os.listdir).</summary>
    private static string[] Listing(string result)
    {
        Assert.StartsWith("failed: [", result);
        return result["failed: [".Length..^1].Split(", ").Select(item => item.Trim('\'')).ToArray();
    }

    internal static string PythonString(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
