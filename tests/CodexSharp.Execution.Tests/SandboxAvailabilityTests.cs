using CodexSharp.Core;
using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>Machines where the sandbox cannot run: refuse with instructions, or run unsandboxed only when asked.</summary>
public sealed class SandboxAvailabilityTests
{
    [Fact]
    public async Task Without_bubblewrap_the_runner_refuses_and_says_how_to_install_it()
    {
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() =>
            PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = 1, BubblewrapPath = "/nonexistent/bwrap" }));
        Assert.Contains("sudo apt-get install bubblewrap", error.Message);
        Assert.Contains("--unsafe-no-sandbox", error.Message);
    }

    [Fact]
    public async Task A_bubblewrap_that_cannot_create_namespaces_is_reported_the_same_way()
    {
        // /bin/false stands in for a bwrap that exits at once, as it does where user namespaces are forbidden.
        var error = await Assert.ThrowsAsync<SandboxUnavailableException>(() =>
            PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = 1, BubblewrapPath = "/bin/false" }));
        Assert.StartsWith("bubblewrap could not create the sandbox (exit code 1)", error.Message);
        Assert.Contains("sudo apt-get install bubblewrap", error.Message);
    }

    [Fact]
    public async Task A_missing_interpreter_is_a_user_error()
    {
        var error = await Assert.ThrowsAsync<UserInputException>(() =>
            PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = 1, PythonPath = "/nonexistent/python3" }));
        Assert.Contains("/nonexistent/python3", error.Message);
    }

    [Fact]
    public async Task Unsandboxed_when_asked_verdicts_and_clean_up_still_hold()
    {
        await using var runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions
        {
            Workers = 1, Unsandboxed = true, BubblewrapPath = "/nonexistent/bwrap", MaxFileBytes = 16L << 20,
        });
        var worker = Assert.Single(runner.WorkerProcessIds);
        async Task<string> Run(string program, double seconds = 5) =>
            (await runner.RunAsync(new ExecutionRequest(program, TimeSpan.FromSeconds(seconds)))).Result;

        Assert.Equal("passed", await Run("assert 1 + 1 == 2"));
        Assert.Equal("failed: name 'x' is not defined", await Run("x"));
        Assert.Equal("timed out", await Run("while True:\n    pass", 1));
        Assert.Equal("failed: 0", await Run("import sys\nsys.exit(0)"));
        Assert.Equal("failed: [Errno 27] File too large", await Run("open('big', 'wb').write(b'x' * (32 << 20))"));
        var secret = await Run($"import os\nassert '{SandboxFixture.SecretVariable}' not in os.environ and 'HOME' not in os.environ, sorted(os.environ)");
        Assert.Equal("passed", secret);
        // A detached grandchild is found through the worker (a subreaper) and killed before the verdict.
        Assert.Equal("passed", await Run("import posix, time\nif posix.fork() == 0:\n    posix.setsid()\n    if posix.fork() == 0:\n        time.sleep(1000)\n    posix._exit(0)\ntime.sleep(0.2)"));
        Assert.Empty(HostProcesses.DescendantsOf(worker));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), "codexsharp-program-*"));
    }
}
