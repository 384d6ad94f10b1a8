using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Reporting.Metrics;
using CodexSharp.Testing;

namespace CodexSharp.Reporting.Tests;

public sealed class ReportBuilderTests
{
    private static (ReportOutcome Outcome, JsonObject Json, List<string> Warnings) Build(string folder, IReadOnlyList<string> results, IReadOnlyList<int>? ks = null)
    {
        var warnings = new List<string>();
        var outcome = ReportBuilder.Build(new ReportConfig { ResultsPaths = results, OutputDirectory = Path.Combine(folder, "report"), Ks = ks ?? [1, 10, 100] }, warnings.Add);
        return (outcome, (JsonObject)JsonNode.Parse(File.ReadAllText(outcome.JsonPath))!, warnings);
    }

    [Fact]
    public void One_run_gives_page_json_and_plots_with_ranking_under_the_documented_keys()
    {
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 6);
        var verdicts = RunFiles.Graded(6, 5).ToList();
        var results = RunFiles.Write(dir.Path, "toy", problems, verdicts, temperature: 0.8, model: "local:toy");
        var (outcome, json, _) = Build(dir.Path, [results]);

        Assert.True(File.Exists(outcome.HtmlPath));
        foreach (var plot in json["plots"]!.AsObject())
        {
            Assert.True(File.Exists(Path.Combine(dir.Path, "report", plot.Value!["svg"]!.GetValue<string>())));
            Assert.True(File.Exists(Path.Combine(dir.Path, "report", plot.Value!["png"]!.GetValue<string>())));
        }
        var expected = verdicts.GroupBy(v => v.TaskId)
            .Select(g => RankedPassAtK.Estimate(g.Select(v => new ScoredSample(v.MeanLogprob!.Value, v.Passed)).ToList(), 2)).Average();
        Assert.Equal(expected, json["ranking"]!["mean_logprob"]!["2"]!.GetValue<double>(), 12);
        Assert.Equal(["random", "mean_logprob", "sum_logprob", "oracle"], json["ranking"]!.AsObject().Select(m => m.Key));
        Assert.Equal(json["runs"]![0]!["pass_at_k"]!["5"]!["value"]!.GetValue<double>(), json["ranking"]!["oracle"]!["5"]!.GetValue<double>(), 12);
        Assert.Equal(0.8, json["runs"]![0]!["temperature"]!.GetValue<double>());
        Assert.Equal(verdicts.Count(v => !v.Passed && v.Result.StartsWith("failed: name")), json["runs"]![0]!["failure_classes"]!["name error"]!.GetValue<int>());
        var html = File.ReadAllText(outcome.HtmlPath);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("data-key=\"/ranking/mean_logprob/1\"".Replace("/ranking", "/runs/0/ranking"), html);
    }

    [Fact]
    public void A_sample_without_a_score_ranks_last_and_the_method_is_still_drawn()
    {
        // An empty completion has no mean log-probability: its sample ranks below the scored ones of its problem.
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 3);
        var verdicts = RunFiles.Graded(3, 4).Select((v, i) => i == 1 ? v with { Completion = "", MeanLogprob = null, Passed = true } : v).ToList();
        var results = RunFiles.Write(dir.Path, "unscored", problems, verdicts);
        var (_, json, _) = Build(dir.Path, [results]);
        var expected = verdicts.GroupBy(v => v.TaskId)
            .Select(g => RankedPassAtK.Estimate(g.Select(v => new ScoredSample(v.MeanLogprob ?? double.NegativeInfinity, v.Passed)).ToList(), 2)).Average();
        Assert.Equal(expected, json["ranking"]!["mean_logprob"]!["2"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void One_sample_per_problem_asked_for_pass_at_10_draws_the_rest_and_says_why()
    {
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 4);
        var results = RunFiles.Write(dir.Path, "single", problems, RunFiles.Graded(4, 1));
        var (outcome, json, warnings) = Build(dir.Path, [results]);
        Assert.Contains(warnings, w => w.Contains("pass@10, pass@100 cannot be estimated") && w.Contains("n = 1"));
        Assert.Single(json["runs"]![0]!["pass_at_k"]!.AsObject());
        Assert.Contains("n &lt; 10", File.ReadAllText(outcome.HtmlPath));
    }

    [Fact]
    public void Results_on_different_problem_sets_are_not_compared_but_both_are_reported()
    {
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 5);
        var a = RunFiles.Write(dir.Path, "a", problems, RunFiles.Graded(5, 3));
        var b = RunFiles.Write(dir.Path, "b", problems, RunFiles.Graded(3, 3));
        var (_, json, warnings) = Build(dir.Path, [a, b]);
        Assert.Contains(warnings, w => w.Contains("cannot compare a with b: they are results on different problem sets") && w.Contains("2 only in the first, e.g. Toy/3"));
        Assert.Null(json["comparison"]);
        Assert.Equal(2, json["runs"]!.AsArray().Count);
    }

    [Fact]
    public void Two_runs_on_the_same_problems_are_compared_problem_by_problem()
    {
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 6);
        var better = RunFiles.Write(dir.Path, "better", problems, RunFiles.Graded(6, 5).Select(v => v.TaskId == "Toy/0" ? v with { Passed = true } : v));
        var worse = RunFiles.Write(dir.Path, "worse", problems, RunFiles.Graded(6, 5).Select(v => v.TaskId == "Toy/3" ? v with { Passed = false } : v));
        var (_, json, _) = Build(dir.Path, [better, worse], [1]);
        var comparison = json["comparison"]!;
        Assert.Equal(2, comparison["won"]!.GetValue<int>());
        Assert.Equal(0, comparison["lost"]!.GetValue<int>());
        Assert.Equal(["Toy/0", "Toy/3"], comparison["won_tasks"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal((1.0 + 3.0 / 5) / 6, comparison["pass_at_k"]!["1"]!["difference"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void Runs_of_one_model_at_three_temperatures_give_the_best_temperature_for_each_k()
    {
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 6);
        // At T = 0.2 every problem passes 2 of 4 (pass@1 high, pass@4 lower); at T = 1.0, half the problems pass all 4... and the rest none.
        var low = RunFiles.Write(dir.Path, "t02", problems, Enumerable.Range(0, 24).Select(i => new Verdict($"Toy/{i / 4}", "x", i % 4 < 1)), 0.2, "local:m");
        var mid = RunFiles.Write(dir.Path, "t08", problems, Enumerable.Range(0, 24).Select(i => new Verdict($"Toy/{i / 4}", "x", i % 4 < 2)), 0.8, "local:m");
        var high = RunFiles.Write(dir.Path, "t10", problems, Enumerable.Range(0, 24).Select(i => new Verdict($"Toy/{i / 4}", "x", i % 4 == 0 && i / 4 < 4 || i % 4 < 3 && i / 4 == 5)), 1.0, "local:m");
        var (_, json, _) = Build(dir.Path, [high, low, mid]);
        var t = json["temperature"]!;
        Assert.Equal([0.2, 0.8, 1.0], t["temperatures"]!.AsArray().Select(x => x!.GetValue<double>()));
        Assert.Equal(0.5, t["pass_at_k"]!["1"]!["0.8"]!.GetValue<double>(), 12);
        Assert.Equal(0.8, t["envelope"]!["1"]!["temperature"]!.GetValue<double>());
        Assert.Equal(0.5, t["envelope"]!["1"]!["value"]!.GetValue<double>(), 12);
        Assert.Equal(1.0, t["envelope"]!["4"]!["value"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void A_results_file_without_its_summary_is_reported_with_a_warning()
    {
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 3);
        var results = RunFiles.Write(dir.Path, "bare", problems, RunFiles.Graded(3, 2), summary: false);
        var (_, json, warnings) = Build(dir.Path, [results]);
        Assert.Contains(warnings, w => w.Contains("no summary beside it") && w.Contains("bare.jsonl_results.summary.json"));
        Assert.Equal(3, json["runs"]![0]!["problems"]!.GetValue<int>());
    }

    [Fact]
    public void A_file_that_is_not_results_is_refused_with_file_line_and_field()
    {
        using var dir = new TempDir();
        var samples = Fixtures.WriteJsonl(dir.File("samples.jsonl"), [Fixtures.Sample("Toy/0", "x")]);
        var e = Assert.Throws<UserInputException>(() => Build(dir.Path, [samples]));
        Assert.Contains("samples.jsonl:1: field 'result'", e.Message);
    }
}
