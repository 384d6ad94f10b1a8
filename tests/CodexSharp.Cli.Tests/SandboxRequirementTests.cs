using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>Without bubblewrap, evaluate refuses to run unless the user explicitly gives up the sandbox.</summary>
public sealed class SandboxRequirementTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Missing_bubblewrap_is_refused_with_install_advice_and_the_unsafe_flag_runs_loudly()
    {
        var problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0")]);
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n")]);
        var noBwrap = new Dictionary<string, string?> { ["PATH"] = _dir.Path }; // a PATH on which bwrap is not found

        var refused = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", problems, "--k", "1"], environment: noBwrap);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("apt-get install bubblewrap", refused.StandardError);
        Assert.Contains("--unsafe-no-sandbox", refused.StandardError);
        Assert.DoesNotContain("   at ", refused.All);
        Assert.False(File.Exists(samples + "_results.jsonl"));

        var unsafeRun = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", problems, "--k", "1", "--unsafe-no-sandbox"], environment: noBwrap);
        Assert.True(unsafeRun.ExitCode == 0, unsafeRun.ToString());
        Assert.Contains("WARNING: --unsafe-no-sandbox", unsafeRun.All);
        Assert.Contains("1 passed", unsafeRun.StandardOutput);
    }
}
