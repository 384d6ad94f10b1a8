using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Core.Metrics;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>`rank` through the real command with a real (tiny, untrained) checkpoint.</summary>
public sealed class RankCommandTests(TinyCheckpoint checkpoint) : IClassFixture<TinyCheckpoint>, IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private (string Problems, string Results) WriteRun()
    {
        var problems = Fixtures.WriteJsonl(dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0"), Fixtures.AddProblem("Toy/1")]);
        var rows = new[]
        {
            new JsonObject { ["task_id"] = "Toy/0", ["completion"] = "    return a + b\n", ["passed"] = true },
            new JsonObject { ["task_id"] = "Toy/0", ["completion"] = "    return a - b\n", ["passed"] = false },
            new JsonObject { ["task_id"] = "Toy/1", ["completion"] = "    return None\n", ["passed"] = false },
        };
        return (problems, Fixtures.WriteJsonl(dir.File("run_results.jsonl"), rows));
    }

    [Fact]
    public async Task Mean_logprob_ranking_adds_each_completions_score_given_its_prompt_and_prints_ranked_pass_at_1()
    {
        var (problems, results) = WriteRun();
        var run = await CodexSharpProcess.RunAsync("rank", results, "--model", "local:" + checkpoint.Directory, "--method", "mean_logprob", "--problems", problems);
        Assert.True(run.ExitCode == 0, run.ToString());
        var ranked = JsonlFile.Read(dir.File("run_results_ranked.jsonl")).Select(r => r.Object).ToList();
        Assert.Equal(3, ranked.Count);
        Assert.All(ranked, r => Assert.True((double)r["mean_logprob"]! < 0));
        Assert.All(ranked, r => Assert.True((double)r["sum_logprob"]! <= (double)r["mean_logprob"]!));
        // The two completions of Toy/0 differ, so their scores do.
        Assert.NotEqual((double)ranked[0]["mean_logprob"]!, (double)ranked[1]["mean_logprob"]!);
        Assert.Contains("random                    25.00%", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("oracle                    50.00%", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_method_adds_its_score_beside_the_first_and_other_samples_are_not_overwritten()
    {
        var (problems, results) = WriteRun();
        var ranked = dir.File("run_results_ranked.jsonl");
        var first = await CodexSharpProcess.RunAsync("rank", results, "--model", "local:" + checkpoint.Directory, "--method", "mean_logprob", "--problems", problems);
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = await CodexSharpProcess.RunAsync("rank", results, "--model", "local:" + checkpoint.Directory, "--method", "backtranslation", "--problems", problems);
        Assert.True(second.ExitCode == 0, second.ToString());
        var rows = JsonlFile.Read(ranked).Select(r => r.Object).ToList();
        Assert.All(rows, r => Assert.NotNull(r["mean_logprob"]));
        Assert.All(rows, r => Assert.NotNull(r["backtranslation_logprob"]));
        Assert.Contains("backtranslation_logprob", second.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("mean_logprob", second.StandardOutput, StringComparison.Ordinal);

        var before = File.ReadAllText(ranked);
        var other = Fixtures.WriteJsonl(dir.File("other.jsonl"), [Fixtures.Sample("Toy/0", "    return 0\n")]);
        var clash = await CodexSharpProcess.RunAsync("rank", other, "--model", "local:" + checkpoint.Directory, "--method", "mean_logprob", "--problems", problems, "--out", ranked);
        Assert.Equal(2, clash.ExitCode);
        Assert.Contains("holds other samples than the ones ranked now (3 rows, not 1)", clash.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(ranked));
    }

    [Fact]
    public async Task A_codex_d_model_is_refused_for_mean_logprob_ranking()
    {
        var (problems, results) = WriteRun();
        var codexD = dir.File("codex-d");
        Directory.CreateDirectory(codexD);
        foreach (var file in Directory.GetFiles(checkpoint.Directory)) File.Copy(file, Path.Combine(codexD, Path.GetFileName(file)));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(codexD, "config.json")))!.AsObject();
        config["task"] = "docstring";
        File.WriteAllText(Path.Combine(codexD, "config.json"), config.ToJsonString());

        var run = await CodexSharpProcess.RunAsync("rank", results, "--model", "local:" + codexD, "--method", "mean_logprob", "--problems", problems);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is a Codex-D model", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("run_results_ranked.jsonl")));
    }

    [Fact]
    public async Task A_sample_of_a_task_the_problems_lack_is_named_with_its_line()
    {
        var (problems, _) = WriteRun();
        var results = Fixtures.WriteJsonl(dir.File("other.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n"), Fixtures.Sample("Elsewhere/3", "    pass\n")]);
        var run = await CodexSharpProcess.RunAsync("rank", results, "--model", "local:" + checkpoint.Directory, "--method", "mean_logprob", "--problems", problems);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{results}:2: field 'task_id': 'Elsewhere/3' is not in the problems file", run.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 1.0, 0.5, 0.2 }, new[] { true, false, false }, 1.0)]
    [InlineData(new[] { 1.0, 1.0, 0.2 }, new[] { true, false, true }, 0.5)]
    [InlineData(new[] { -3.0, -1.0, -2.0 }, new[] { true, false, true }, 0.0)]
    public void The_top_ranked_sample_passes_with_ties_broken_uniformly(double[] scores, bool[] passed, double expected) =>
        Assert.Equal(expected, TopRanked.PassRate(scores.Zip(passed)), 12);
}
