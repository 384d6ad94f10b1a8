using System.Text.Json.Nodes;
using CodexSharp.Generation.Tests.Fixtures;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests;

/// <summary><c>codexsharp run</c> (generate + evaluate in the sandbox + summary) as a child process against a loopback server.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_samples_evaluates_and_reports_pass_at_k()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.CompletionText = (prompt, i) =>
            prompt.Contains("def add(") ? "    return a + b\n\n\ndef extra():\n    pass\n"
            : prompt.Contains("def shout(") ? (i == 0 ? "    return s.upper() + '!'\n" : "    return s\n")
            : "    return xs\n");
        var outPath = Path.Combine(_dir, "samples.jsonl");
        string[] args = ["run", "--model", $"openai:{server.ModelName}@{server.BaseUrl}", "--problems", TinyProblems.Path, "--n", "2", "--out", outPath, "--k", "1,2", "--workers", "2"];
        var outcome = await GenerateProcess.RunAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());

        var summaryPath = Path.Combine(_dir, "samples.jsonl_results.summary.json");
        var summary = JsonNode.Parse(File.ReadAllText(summaryPath))!;
        // add: 2/2 pass, shout: 1/2, evens: 0/2 → pass@1 = (1 + 0.5 + 0) / 3, pass@2 = (1 + 1 + 0) / 3.
        Assert.Equal(0.5, summary["pass_at_k"]!["pass@1"]!["value"]!.GetValue<double>(), 9);
        Assert.Equal(2.0 / 3, summary["pass_at_k"]!["pass@2"]!["value"]!.GetValue<double>(), 9);
        Assert.Contains("pass@1", outcome.StandardOutput);
        Assert.Equal(6, File.ReadAllLines(Path.Combine(_dir, "samples.jsonl_results.jsonl")).Length);
    }

    [Fact]
    public async Task Run_with_a_limit_is_over_the_first_problems_without_a_warning_about_the_rest()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.CompletionText = (_, _) => "    return a + b\n");
        var outPath = Path.Combine(_dir, "limited.jsonl");
        var outcome = await GenerateProcess.RunAsync(["run", "--model", $"openai:{server.ModelName}@{server.BaseUrl}", "--problems", TinyProblems.Path,
            "--out", outPath, "--limit", "1", "--k", "1", "--no-report"]);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.DoesNotContain("have no samples", outcome.StandardError);
        Assert.Contains("problems: 1 evaluated", outcome.StandardOutput);
        Assert.DoesNotContain("without samples", outcome.StandardOutput);
    }

    [Theory]
    [InlineData("--timeout", "-1", "--timeout")]
    [InlineData("--workers", "0", "--workers")]
    [InlineData("--k", "1,,2", "--k")]
    public async Task A_bad_evaluation_flag_is_refused_before_anything_is_sampled(string flag, string value, string named)
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.CompletionText = (_, _) => "    return a + b\n");
        var outPath = Path.Combine(_dir, "samples.jsonl");
        var outcome = await GenerateProcess.RunAsync(["run", "--model", $"openai:{server.ModelName}@{server.BaseUrl}", "--problems", TinyProblems.Path,
            "--out", outPath, flag, value]);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"error: {named}", outcome.StandardError);
        Assert.Equal(0, server.RequestCount);
        Assert.False(File.Exists(outPath) && new FileInfo(outPath).Length > 0, "no sample may be written");
    }
}
