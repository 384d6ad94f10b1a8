using System.Text.Json.Nodes;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Io;
using CodexSharp.Testing;
using PuppeteerSharp;

namespace CodexSharp.Reporting.Tests;

/// <summary>Reports of runs on benchmarks other than HumanEval: problems read by the run's benchmark, its other pass@k tables shown.</summary>
public sealed class ReportBenchmarksTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_humaneval_cs_run_reads_MultiPL_E_prompts_through_its_benchmark()
    {
        var problems = Path.Combine(TestPaths.SharedDatasets, "multipl-e-humaneval-cs", "humaneval-cs-reworded.jsonl");
        var results = RunFiles.Write(_dir.Path, "cs", problems,
        [
            new Verdict("HumanEval_0_has_close_elements", "        return false;\n    }\n", false, "failed: Debug.Assert failed"),
            new Verdict("HumanEval_0_has_close_elements", "        return true;\n    }\n", true),
        ]);
        File.WriteAllText(OutputPaths.Summary(results), new JsonObject { ["config"] = new JsonObject { ["benchmark"] = "humaneval-cs" } }.ToJsonString());
        var warnings = new List<string>();
        var outcome = ReportBuilder.Build(new ReportConfig { ResultsPaths = [results], OutputDirectory = _dir.File("report") }, warnings.Add);

        Assert.DoesNotContain(warnings, w => w.Contains("left out", StringComparison.Ordinal));
        Assert.Equal("humaneval-cs", outcome.Document.Runs[0].Benchmark);
        Assert.Contains("public static bool HasCloseElements", File.ReadAllText(outcome.HtmlPath));
    }

    [BrowserFact]
    public async Task An_APPS_run_shows_raw_and_filtered_pass_at_k_and_its_prompts_in_the_browser()
    {
        var folder = Directory.CreateDirectory(_dir.File("apps")).FullName;
        AppsFixtures.WriteStdinProblem(folder, "0000", "Double it.\n\n-----Example-----\nInput\n21\n\nOutput\n42\n", ("21\n", "42\n"), ("5\n", "10\n"));
        AppsFixtures.WriteStdinProblem(folder, "0001", "Echo it.", ("7\n", "7\n"));
        var results = WriteAppsRun(folder,
        [
            ("APPS/0000", "print(2 * int(input()))\n", "passed", true),
            ("APPS/0000", "print(42)\n", "failed: wrong answer on test 2 of 2 (1 of 2 passed)", false),
            ("APPS/0001", "print(input())\n", "passed", true),
            ("APPS/0001", "print(8)\n", "failed: wrong answer on test 1 of 1 (0 of 1 passed)", false),
        ]);
        var warnings = new List<string>();
        var outcome = ReportBuilder.Build(new ReportConfig { ResultsPaths = [results], OutputDirectory = _dir.File("report") }, warnings.Add);
        Assert.DoesNotContain(warnings, w => w.Contains("left out", StringComparison.Ordinal));
        var json = JsonNode.Parse(File.ReadAllText(outcome.JsonPath))!;
        Assert.Equal("apps", json["runs"]![0]!["benchmark"]!.GetValue<string>());
        Assert.Equal("raw pass@k", json["runs"]![0]!["main_column"]!.GetValue<string>());
        Assert.Equal(0.75, json["runs"]![0]!["pass_at_k_by"]!["filtered pass@k"]!["1"]!["value"]!.GetValue<double>());

        await using var report = await OpenReport.OpenAsync(outcome.HtmlPath);
        var page = report.Page;
        var shown = await report.ShownNumbersAsync();
        foreach (var pair in shown) ReportInBrowserTests.AssertShownValue(json, pair[0], pair[1]);
        Assert.Contains(shown, p => p[0] == "/runs/0/pass_at_k_by/filtered pass@k/1/value");
        var text = await page.EvaluateExpressionAsync<string>("document.body.textContent");
        Assert.Contains("raw pass@1", text);
        Assert.Contains("filtered pass@k", text);
        Assert.Contains("QUESTION:\nDouble it.", text);

        var screenshot = Environment.GetEnvironmentVariable("CODEXSHARP_REPORT_SCREENSHOT");
        if (!string.IsNullOrEmpty(screenshot)) await page.ScreenshotAsync(screenshot.Replace(".png", "_apps.png", StringComparison.Ordinal), new ScreenshotOptions { FullPage = true });
        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
    }

    /// <summary>An APPS run as evaluate leaves it: results with public_passed, the summary with both tables, the record naming the folder.</summary>
    private string WriteAppsRun(string problems, IReadOnlyList<(string TaskId, string Completion, string Result, bool Passed)> rows)
    {
        var samples = Fixtures.WriteJsonl(_dir.File("apps.jsonl"), rows.Select(r => Fixtures.Sample(r.TaskId, r.Completion)));
        var results = Fixtures.WriteJsonl(samples + "_results.jsonl", rows.Select(r => new JsonObject
        {
            ["task_id"] = r.TaskId, ["completion"] = r.Completion, ["result"] = r.Result, ["passed"] = r.Passed,
            ["public_passed"] = r.Passed || r.Completion == "print(42)\n",
        }));
        static JsonObject Estimate(double value) => new() { ["value"] = value, ["ci95"] = new JsonObject { ["low"] = value / 2, ["high"] = 1.0 }, ["problems"] = 2 };
        File.WriteAllText(OutputPaths.Summary(results), new JsonObject
        {
            ["config"] = new JsonObject { ["benchmark"] = "apps" },
            ["main_column"] = "raw pass@k",
            ["pass_at_k"] = new JsonObject { ["pass@1"] = Estimate(0.5) },
            ["pass_at_k_by"] = new JsonObject { ["filtered pass@k"] = new JsonObject { ["pass@1"] = Estimate(0.75), ["pass@2"] = Estimate(1.0) } },
        }.ToJsonString());
        File.WriteAllText(OutputPaths.Config(results), new JsonObject
        {
            ["samples"] = new JsonObject { ["path"] = samples },
            ["problems"] = new JsonObject { ["path"] = problems, ["sha256"] = AppsBenchmark.Instance.Load(problems).Sha256 },
        }.ToJsonString());
        return results;
    }
}
