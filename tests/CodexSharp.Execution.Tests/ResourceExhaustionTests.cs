using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>Programs that try to exhaust processes, memory, disk, output, input or the stack, or crash.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ResourceExhaustionTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task A_fork_storm_hits_the_process_limit()
    {
        var program = "import posix, time\nmade = 0\ntry:\n    while made < 1000:\n        if posix.fork() == 0:\n            time.sleep(30)\n            posix._exit(0)\n        made += 1\nexcept OSError as error:\n    assert False, (made, error.errno)\n";
        var result = await sandbox.RunAsync(program);
        Assert.StartsWith("failed: (", result.Result);
        Assert.EndsWith(", 11)", result.Result); // EAGAIN from fork once RLIMIT_NPROC is reached
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_fork_bomb_is_contained_and_cleaned_up()
    {
        var result = await sandbox.RunAsync("import posix\nwhile True:\n    try:\n        posix.fork()\n    except OSError:\n        pass\n", SandboxFixture.ShortTimeout);
        Assert.Equal("timed out", result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_multi_gigabyte_allocation_fails()
    {
        var result = await sandbox.RunAsync("block = bytearray(8 << 30)\nassert len(block) == 8 << 30\n");
        Assert.Equal("failed: ", result.Result); // MemoryError
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_file_larger_than_the_limit_cannot_be_written()
    {
        var result = await sandbox.RunAsync("with open('big', 'wb') as f:\n    for _ in range(32):\n        f.write(b'x' * (1 << 20))\n");
        Assert.Equal("failed: [Errno 27] File too large", result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task Many_files_cannot_fill_more_than_the_private_tmpfs()
    {
        var result = await sandbox.RunAsync("for i in range(10):\n    with open(f'part{i}', 'wb') as f:\n        for _ in range(12):\n            f.write(b'x' * (1 << 20))\n");
        Assert.Equal("failed: [Errno 28] No space left on device", result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task Gigabytes_of_output_do_not_reach_the_host()
    {
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var printed = await sandbox.RunAsync("import sys, os\nline = 'x' * (1 << 20)\nfor _ in range(200):\n    print(line)\n    sys.stderr.write(line)\n    os.write(1, line.encode())\n");
        var endless = await sandbox.RunAsync("while True:\n    print('y' * 65536)\n", SandboxFixture.ShortTimeout);
        Assert.Equal("passed", printed.Result);
        Assert.Equal("timed out", endless.Result);
        var grown = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        Assert.True(grown < 32L << 20, $"the host grew by {grown} bytes while programs printed gigabytes");
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_huge_failure_message_is_capped()
    {
        var result = await sandbox.RunAsync("raise ValueError('z' * (50 << 20))\n");
        Assert.Equal("failed: " + new string('z', SandboxFixture.Options.MaxOutputBytes), result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("import os\ndata = os.read(0, 100)\nassert data, 'stdin is empty'", "failed: stdin is empty")]
    [InlineData("import sys\nassert sys.__stdin__.read(), 'stdin is empty'", "failed: stdin is empty")]
    [InlineData("x = input()", "failed: ")]
    public async Task Standard_input_is_empty(string program, string expected)
    {
        Assert.Equal(expected, (await sandbox.RunAsync(program)).Result);
        await sandbox.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("import sys\nsys.setrecursionlimit(10 ** 8)\nclass Deep:\n    def __getattr__(self, name):\n        return getattr(self, name)\nDeep().x")]
    [InlineData("import ctypes\nctypes.string_at(0)")]
    public async Task A_native_crash_is_a_failure(string program)
    {
        var result = await sandbox.RunAsync(program);
        Assert.Equal("failed: the program was killed by SIGSEGV before its tests finished", result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_ten_megabyte_program_runs()
    {
        var padding = string.Concat(Enumerable.Repeat("# " + new string('p', 98) + "\n", 100_000));
        var program = padding + "BIG = '" + new string('q', 1 << 20) + "'\nassert len(BIG) == 1 << 20\n";
        Assert.True(program.Length > 10_000_000);
        Assert.Equal("passed", (await sandbox.RunAsync(program)).Result);
        await sandbox.AssertHealthyAsync();
    }
}
