namespace CodexSharp.Execution.Tests;

/// <summary>
/// A program sees the standard library and numpy, whatever else the machine has installed, so that a verdict
/// does not depend on the machine: human-eval's reference environment had no other package.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ThirdPartyPackagesTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Only_numpy_is_importable_beyond_the_standard_library()
    {
        // Every folder on sys.path outside the standard library holds numpy's entries and nothing else.
        const string program = """
            import sys, os, sysconfig
            stdlib = {sysconfig.get_paths()['stdlib'], sysconfig.get_paths()['platstdlib']}
            others = {}
            for folder in sys.path:
                if not folder or not os.path.isdir(folder) or folder in stdlib or folder.endswith('lib-dynload'):
                    continue
                entries = [e for e in os.listdir(folder) if not e.startswith('numpy')]
                if entries:
                    others[folder] = sorted(entries)[:5]
            import numpy
            assert numpy.array([1, 2]).sum() == 3
            assert not others, others
            """;
        var result = await sandbox.RunAsync(program);
        Assert.True(result.Passed, result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task The_hidden_package_folders_cannot_be_written()
    {
        const string program = """
            import sys, os
            folders = [f for f in sys.path if f.endswith(('dist-packages', 'site-packages')) and os.path.isdir(f)]
            assert folders, sys.path
            written = []
            for folder in folders:
                try:
                    open(os.path.join(folder, 'planted.py'), 'w').write('x = 1')
                    written.append(folder)
                except OSError:
                    pass
            assert written, 'nothing could be written'
            """;
        var result = await sandbox.RunAsync(program);
        Assert.False(result.Passed, result.Result);
        Assert.Contains("nothing could be written", result.Result);
        await sandbox.AssertHealthyAsync();
    }
}
