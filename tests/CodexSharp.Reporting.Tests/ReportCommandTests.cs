using CodexSharp.Testing;

namespace CodexSharp.Reporting.Tests;

public sealed class ReportCommandTests
{
    [Fact]
    public async Task Writes_the_report_and_says_where_and_refuses_bad_input_with_exit_2()
    {
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 3);
        var results = RunFiles.Write(dir.Path, "one", problems, RunFiles.Graded(3, 1));
        var missing = dir.File("missing_results.jsonl");
        var notResults = Fixtures.WriteJsonl(dir.File("samples.jsonl"), [Fixtures.Sample("Toy/0", "x")]);

        var ok = await CodexSharpProcess.RunAsync("report", results, "--out", dir.File("out"), "--k", "1,10,100");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains($"report: {dir.File("out/report.html")}", ok.StandardOutput);
        Assert.Contains("warning: one: pass@10, pass@100 cannot be estimated", ok.StandardError);
        Assert.True(File.Exists(dir.File("out/report.json")));

        var bad = await CodexSharpProcess.RunAsync("report", notResults, missing);
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("samples.jsonl:1: field 'result'", bad.StandardError);
        Assert.DoesNotContain("   at ", bad.StandardError);
    }

    [Fact]
    public async Task Evaluate_writes_the_report_beside_the_results_unless_told_not_to()
    {
        using var dir = new TempDir();
        var problems = RunFiles.Problems(dir.Path, 2);
        var samples = Fixtures.WriteJsonl(dir.File("s.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n"), Fixtures.Sample("Toy/1", "    return a - b\n")]);

        var evaluated = await CodexSharpProcess.RunAsync("evaluate", samples, "--problems", problems, "-o", dir.File("with_results.jsonl"));
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        Assert.Contains($"report: {dir.File("with_report/report.html")}", evaluated.StandardOutput);
        Assert.True(File.Exists(dir.File("with_report/report.json")));

        var quiet = await CodexSharpProcess.RunAsync("evaluate", samples, "--problems", problems, "-o", dir.File("without_results.jsonl"), "--no-report");
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.DoesNotContain("report:", quiet.StandardOutput);
        Assert.False(Directory.Exists(dir.File("without_report")));
    }
}
