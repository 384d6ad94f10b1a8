using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Tests;

/// <summary>One real sandboxed runner (2 workers, real bubblewrap, real Python) shared by the tests of a collection.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    /// <summary>Set in this process before the workers start; no program may ever see it.</summary>
    public const string SecretVariable = "CODEXSHARP_TEST_API_KEY";
    public const string SecretValue = "sk-test-7f3a9c1e5b";

    public static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan NormalTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Small limits, so that hitting them is quick.</summary>
    public static readonly PythonRunnerOptions Options = new()
    {
        Workers = 2,
        MaxFileBytes = 16L << 20,
        TempDirectoryBytes = 64L << 20,
        WatchdogTimeout = TimeSpan.FromSeconds(3),
    };

    public PythonProgramRunner Runner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(SecretVariable, SecretValue);
        Runner = await PythonProgramRunner.StartAsync(Options);
    }

    public async Task DisposeAsync() => await Runner.DisposeAsync();

    public Task<ExecutionResult> RunAsync(string program, TimeSpan? timeout = null) =>
        Runner.RunAsync(new ExecutionRequest(program, timeout ?? NormalTimeout));

    /// <summary>
    /// After a hostile program: the run goes on, an ordinary program still passes on every worker, and no
    /// process the hostile program started is still alive.
    /// </summary>
    public async Task AssertHealthyAsync()
    {
        var ordinary = "def add(a, b):\n    return a + b\n\ndef check(candidate):\n    assert candidate(2, 3) == 5\n\ncheck(add)";
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunAsync(ordinary)));
        Assert.All(results, result => Assert.Equal("passed", result.Result));
        Assert.All(Runner.WorkerProcessIds, AssertOnlyTheWorkerIsLeft);
    }

    /// <summary>Under the worker's bubblewrap there is the worker and nothing else.</summary>
    public static void AssertOnlyTheWorkerIsLeft(int bubblewrapPid)
    {
        var below = HostProcesses.DescendantsOf(bubblewrapPid);
        Assert.True(below.Count == 1, $"expected only the worker under bwrap {bubblewrapPid}, found: {string.Join(", ", below)}");
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}

/// <summary>
/// A sandbox of its own for tests that count this process's descriptors: the collection runs alone, after the
/// parallel ones, so no other test's files and pipes are open while it counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneSandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox, run alone";
}
