using System.Diagnostics;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>The report after `evaluate` is only a warning when it cannot be written, and Ctrl-C while it is drawn is an interruption.</summary>
public sealed class ReportAfterEvaluationTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _problems;
    private readonly string _samples;

    public ReportAfterEvaluationTests()
    {
        _problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0")]);
        _samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n")]);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_file_where_the_report_goes_is_a_warning_and_the_results_are_saved()
    {
        File.WriteAllText(_dir.File("out_report"), "in the way");
        var run = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", _dir.File("out.jsonl"), "--k", "1"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("warning: the report was not written:", run.StandardError);
        Assert.Contains("out_report: is a file", run.StandardError);
        Assert.Contains("\"passed\":true", File.ReadAllText(_dir.File("out.jsonl")));
        Assert.Equal("in the way", File.ReadAllText(_dir.File("out_report")));
    }

    [Fact]
    public async Task Report_into_an_existing_file_exits_2_and_leaves_it()
    {
        var evaluated = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", _dir.File("out.jsonl"), "--k", "1", "--no-report"]);
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        var report = await CodexSharpProcess.RunAsync(["report", _dir.File("out.jsonl"), "--out", _samples]);
        Assert.True(report.ExitCode == 2, report.ToString());
        Assert.Contains($"{_samples}: is a file; the report is a folder", report.StandardError);
        Assert.DoesNotContain("   at ", report.All);
        Assert.StartsWith("{\"task_id\"", File.ReadAllText(_samples));
    }

    [Fact]
    public async Task Ctrl_c_while_the_report_is_drawn_exits_130_with_the_results_saved()
    {
        using var process = Process.Start(CodexSharpProcess.StartInfo(["evaluate", _samples, "--problems", _problems, "-o", _dir.File("out.jsonl"), "--k", "1"]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        // The run's record is the last line before the report: stop the process there, queue Ctrl-C, let it go on.
        while (await process.StandardOutput.ReadLineAsync() is { } line && !line.StartsWith("record:", StringComparison.Ordinal)) { }
        Signal("STOP", process.Id);
        Signal("INT", process.Id);
        Signal("CONT", process.Id);
        var rest = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 130, await rest + await stderr);
        Assert.Contains("interrupted", await stderr);
        Assert.Contains("\"passed\":true", File.ReadAllText(_dir.File("out.jsonl")));
    }

    private static void Signal(string name, int pid)
    {
        using var kill = Process.Start("kill", [$"-{name}", pid.ToString()]);
        kill.WaitForExit();
    }
}
