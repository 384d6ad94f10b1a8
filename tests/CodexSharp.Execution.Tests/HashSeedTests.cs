using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>Every program runs with PYTHONHASHSEED=0, so a result text never depends on which run produced it.</summary>
public sealed class HashSeedTests
{
    private const string SetOrderInMessage =
        "words = {'apple', 'banana', 'cherry', 'damson', 'elder', 'fig', 'grape', 'hazel', 'kiwi', 'lemon'}\n" +
        "assert False, ' '.join(words) + ' ' + str(hash('codexsharp'))\n";

    [Fact]
    public async Task A_message_that_depends_on_set_order_is_the_same_from_two_separately_started_runners()
    {
        var first = await RunInFreshRunnerAsync(SetOrderInMessage);
        var second = await RunInFreshRunnerAsync(SetOrderInMessage);
        Assert.StartsWith("failed: ", first.Result);
        Assert.Equal(first.Result, second.Result);
    }

    [Fact]
    public async Task The_documented_seed_is_in_force()
    {
        var result = await RunInFreshRunnerAsync("import os, sys\nassert os.environ['PYTHONHASHSEED'] == '0'\nassert sys.flags.hash_randomization == 0\n");
        Assert.Equal("passed", result.Result);
    }

    private static async Task<ExecutionResult> RunInFreshRunnerAsync(string program)
    {
        await using var runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = 1 });
        return await runner.RunAsync(new ExecutionRequest(program, SandboxFixture.NormalTimeout));
    }
}
