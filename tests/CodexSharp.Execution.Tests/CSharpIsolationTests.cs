namespace CodexSharp.Execution.Tests;

/// <summary>
/// C# programs that attack their host: each passes only if its attack worked, so a passing verdict here means a
/// hole in the sandbox. The host is checked from outside as well.
/// </summary>
[Collection(CSharpSandboxCollection.Name)]
public sealed class CSharpIsolationTests(CSharpSandboxFixture sandbox) : IDisposable
{
    private readonly string _hostDirectory = Directory.CreateTempSubdirectory("codexsharp-host-").FullName;

    [Fact]
    public async Task Nothing_outside_the_programs_directory_is_writable_or_deletable()
    {
        var victim = Path.Combine(_hostDirectory, "keep.txt");
        File.WriteAllText(victim, "keep");
        var targets = new[] { Path.Combine(_hostDirectory, "escaped.txt"), "/usr/escaped.txt", "/escaped.txt", "/etc/escaped.txt", "/dev/shm/escaped.txt", Path.Combine(Testing.TestPaths.RepoRoot, "escaped.txt") };
        var method = $$"""
                static List<string> Attack() {
                    var done = new List<string>();
                    foreach (var path in new[] { {{string.Join(", ", targets.Select(Quoted))}} }) {
                        try { System.IO.File.WriteAllText(path, "x"); done.Add(path); } catch (Exception) { }
                    }
                    try { System.IO.File.Delete({{Quoted(victim)}}); if (!System.IO.File.Exists({{Quoted(victim)}})) done.Add("deleted"); } catch (Exception) { }
                    return done;
                }
            """;
        var result = await sandbox.RunAsync(CSharpSandboxFixture.Program(method, "        Debug.Assert(Attack().Count > 0);"));
        Assert.Equal("failed: Debug.Assert failed: Attack().Count > 0", result.Result);
        Assert.All(targets, target => Assert.False(File.Exists(target), target));
        Assert.Equal("keep", File.ReadAllText(victim));
    }

    [Fact]
    public async Task Its_own_directory_is_writable_and_nothing_of_it_reaches_the_host()
    {
        var marker = "codexsharp-leak-" + Guid.NewGuid().ToString("N");
        var method = $$"""
                static bool Write() {
                    System.IO.File.WriteAllText("{{marker}}", "x");
                    System.IO.File.WriteAllText("/tmp/{{marker}}", "x");
                    return System.IO.File.Exists("/tmp/program/{{marker}}") && System.IO.File.Exists("/tmp/{{marker}}");
                }
            """;
        Assert.Equal("passed", (await sandbox.RunAsync(CSharpSandboxFixture.Program(method, "        Debug.Assert(Write());"))).Result);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), marker + "*", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public async Task Secrets_of_the_host_are_unreadable()
    {
        Assert.Equal(SandboxFixture.SecretValue, Environment.GetEnvironmentVariable(SandboxFixture.SecretVariable));
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(home));
        var solution = Path.Combine(Testing.TestPaths.RepoRoot, "CodexSharp.slnx");
        var method = $$"""
                static List<string> Look() {
                    var found = new List<string>();
                    foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
                        if (((string)variable.Value).Contains("{{SandboxFixture.SecretValue}}")) found.Add((string)variable.Key);
                    foreach (var directory in System.IO.Directory.GetDirectories("/proc")) {
                        try { if (System.IO.File.ReadAllText(directory + "/environ").Contains("{{SandboxFixture.SecretValue}}")) found.Add(directory); } catch (Exception) { }
                    }
                    foreach (var path in new[] { {{Quoted(home)}}, {{Quoted(solution)}}, {{Quoted(Testing.TestPaths.SharedDatasets)}}, "/work", "/root", "/home", "/etc/passwd" })
                        if (System.IO.File.Exists(path) || System.IO.Directory.Exists(path)) found.Add(path);
                    return found;
                }
            """;
        var result = await sandbox.RunAsync(CSharpSandboxFixture.Program(method, "        Debug.Assert(Look().Count > 0);"));
        Assert.Equal("failed: Debug.Assert failed: Look().Count > 0", result.Result);
    }

    [Fact]
    public async Task A_process_the_program_leaves_behind_is_killed_when_it_ends()
    {
        var marker = $"{Random.Shared.Next(100_000, 999_999)}.{Random.Shared.Next(100_000, 999_999)}";
        var method = $$"""
                static bool Leave() {
                    var child = Process.Start("/usr/bin/sleep", "{{marker}}");
                    System.Threading.Thread.Sleep(200);
                    return !child.HasExited;
                }
            """;
        var result = await sandbox.RunAsync(CSharpSandboxFixture.Program(method, "        Debug.Assert(Leave());"));
        Assert.Equal("passed", result.Result);  // the child was running when the program ended
        Assert.Empty(SleepersWith(marker));
    }

    [Fact]
    public async Task A_process_left_by_a_program_that_times_out_is_killed_too()
    {
        var marker = $"{Random.Shared.Next(100_000, 999_999)}.{Random.Shared.Next(100_000, 999_999)}";
        var method = $$"""
                static bool Leave() {
                    Process.Start("/usr/bin/sleep", "{{marker}}");
                    while (true) { }
                }
            """;
        var result = await sandbox.RunAsync(CSharpSandboxFixture.Program(method, "        Debug.Assert(Leave());"), CSharpSandboxFixture.ShortTimeout);
        Assert.Equal("timed out", result.Result);
        Assert.Empty(SleepersWith(marker));
    }

    private static List<string> SleepersWith(string marker)
    {
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(marker, StringComparison.Ordinal)) found.Add(directory);
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
        }
        return found;
    }

    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public void Dispose() => Directory.Delete(_hostDirectory, recursive: true);
}
