using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>Programs whose tests fail but that try to get "passed" anyway: early exits, output, descriptors, signals.</summary>
[Collection(SandboxCollection.Name)]
public sealed class VerdictForgeryTests(SandboxFixture sandbox)
{
    private const string FailingTest = "\nassert 1 == 2\n";

    [Theory]
    [InlineData("import sys\nsys.exit(0)", "failed: 0")]
    [InlineData("raise SystemExit(0)", "failed: 0")]
    [InlineData("import os\nos._exit(0)", "failed: the program exited with status 0 before its tests finished")]
    [InlineData("import atexit, os\natexit.register(os._exit, 0)", "failed: ")]
    [InlineData("import atexit\natexit.register(print, 'passed')", "failed: ")]
    [InlineData("print('passed')\nprint('{\"passed\": true, \"result\": \"passed\"}')", "failed: ")]
    [InlineData("import os\nos.write(1, b'passed\\n')\nos.write(2, b'passed\\n')", "failed: ")]
    [InlineData("import sys\nsys.__stdout__.write('passed')\nsys.__stdout__.flush()", "failed: ")]
    public async Task Exiting_early_or_printing_a_pass_is_not_a_pass(string trick, string expected)
    {
        var result = await sandbox.RunAsync(trick + FailingTest);
        Assert.Equal(expected, result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task Writing_to_every_inherited_descriptor_is_not_a_pass()
    {
        // Everything the program can write to gets a byte string that looks like a pass from the harness.
        var program = "import os, struct\nfor fd in range(1024):\n    for blob in (b'passed\\n', b'CSWREADY', struct.pack('<QBQI', 1, 0, 5, 0), b'\\0' * 64):\n        try:\n            os.write(fd, blob)\n        except OSError:\n            pass\nos._exit(0)\n";
        var result = await sandbox.RunAsync(program + FailingTest);
        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("failed: the program wrote to the harness's report channel (verdict forgery refused)", result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_well_formed_report_without_the_runs_nonce_is_not_a_pass()
    {
        // The report layout is public (it is in this repository); the nonce is what the program cannot know.
        var program = "import os, struct\nos.write(3, struct.pack('<16sQBI', bytes(16), os.getpid(), 0, 0))\nos._exit(0)\n";
        var result = await sandbox.RunAsync(program + FailingTest);
        Assert.Equal("failed: the program wrote to the harness's report channel (verdict forgery refused)", result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task The_program_sees_no_descriptor_of_the_harness_protocol()
    {
        var result = await sandbox.RunAsync("import os\nassert False, sorted(int(fd) for fd in os.listdir('/proc/self/fd'))\n");
        // 0-2 are /dev/null, 3 is the report channel, 4 is the listing itself.
        Assert.Equal("failed: [0, 1, 2, 3, 4]", result.Result);
    }

    [Theory]
    [InlineData("posix.kill(posix.getppid(), signal.SIGKILL)")]
    [InlineData("posix.kill(1, signal.SIGKILL)")]
    [InlineData("posix.kill(1, signal.SIGSTOP)")]
    [InlineData("posix.kill(1, signal.SIGINT)")]
    [InlineData("posix.kill(-1, signal.SIGSTOP)")]
    [InlineData("posix.killpg(posix.getpgid(0), signal.SIGKILL)")]
    [InlineData("posix.kill(-1, signal.SIGKILL)")]
    public async Task Signalling_the_worker_its_group_or_everything_changes_nothing(string attack)
    {
        var replacedBefore = sandbox.Runner.WorkersReplaced;
        var result = await sandbox.RunAsync("import posix, signal\n" + attack + FailingTest);
        Assert.False(result.Passed, result.Result);
        Assert.Equal(replacedBefore, sandbox.Runner.WorkersReplaced);
        await sandbox.AssertHealthyAsync();
        Assert.Equal(replacedBefore, sandbox.Runner.WorkersReplaced);
    }
}
