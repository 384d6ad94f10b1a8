namespace CodexSharp.Execution.Tests;

/// <summary>Running many programs leaves no descriptors, zombies or temp directories behind.</summary>
[Collection(AloneSandboxCollection.Name)]
public sealed class LeakTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Hundreds_of_programs_leave_no_descriptors_zombies_or_temp_directories()
    {
        var marker = "codexsharp-leak-" + Guid.NewGuid().ToString("N");
        var programs = new[]
        {
            "assert True", "assert False", "x", "import os\nos._exit(3)",
            $"open('{marker}', 'w').write('x')\nopen('/tmp/{marker}', 'w').write('x')\nimport os\nos.mkdir('{marker}.d')",
            "import posix\nif posix.fork() == 0:\n    import time\n    time.sleep(100)",
        };
        await sandbox.RunAsync("assert True");
        // Handles that earlier tests let go of are closed by finalizers whenever the collector runs; close them now,
        // so that the baseline holds only what is really open. The count after the programs is taken without this.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var descriptorsBefore = HostProcesses.OpenDescriptorsOfThisProcess();
        for (var round = 0; round < 40; round++)
        {
            await Task.WhenAll(programs.Select(program => sandbox.RunAsync(program)));
        }
        // No other test runs beside this one (its collection runs alone), but the runtime may still be closing a
        // handle or two of the last programs; a leak grows with the 240 programs and never settles back.
        var quiet = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Math.Abs(HostProcesses.OpenDescriptorsOfThisProcess() - descriptorsBefore) > 4 && DateTime.UtcNow < quiet) await Task.Delay(100);
        Assert.InRange(HostProcesses.OpenDescriptorsOfThisProcess(), descriptorsBefore - 4, descriptorsBefore + 4);
        // A killed grandchild is reaped by the sandbox's init a moment after its worker answers; what must not
        // happen is a zombie that stays.
        var settled = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (HostProcesses.ZombieChildrenOfThisProcess().Count > 0 && DateTime.UtcNow < settled) await Task.Delay(50);
        Assert.Empty(HostProcesses.ZombieChildrenOfThisProcess());
        // Other processes on this machine use the host's /tmp too; what matters is that nothing of ours is there.
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), marker + "*"));
        var sandboxTmp = await sandbox.RunAsync("import os\nassert os.listdir('/tmp') == ['program'], os.listdir('/tmp')\nassert os.listdir('.') == []");
        Assert.Equal("passed", sandboxTmp.Result);
        await sandbox.AssertHealthyAsync();
    }
}
