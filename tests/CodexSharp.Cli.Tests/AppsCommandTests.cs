using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>`evaluate --dataset apps` as a user runs it: a real process, the real sandbox, an APPS folder on disk.</summary>
public sealed class AppsCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _problems;

    public AppsCommandTests()
    {
        _problems = Directory.CreateDirectory(_dir.File("apps")).FullName;
        AppsFixtures.WriteStdinProblem(_problems, "0000", "Double it.\n\n-----Example-----\nInput\n21\n\nOutput\n42\n", ("5\n", "10\n"), ("21\n", "42\n"));
        AppsFixtures.WriteProblem(_problems, "0001", "Add.", new JsonArray(new JsonArray(1, 2)), new JsonArray(3), fnName: "add",
            starter: "def add(a, b):\n", solution: "def add(a, b):\n    return a + b\n");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Evaluate_writes_raw_and_filtered_pass_at_k_and_per_sample_public_verdicts()
    {
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"),
        [
            Fixtures.Sample("APPS/0000", "print(2 * int(input()))\n"),
            Fixtures.Sample("APPS/0000", "print(42)\n"),
            Fixtures.Sample("APPS/0001", "def add(a, b):\n    return a + b\n"),
            Fixtures.Sample("APPS/0001", "def add(a, b):\n    return a - b\n"),
        ]);
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--dataset", "apps", "--problems", _problems, "--k", "1,2"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("filtered pass@k", run.StandardOutput);
        Assert.Contains("raw pass@k", run.StandardOutput);

        var rows = JsonlFile.Read(samples + "_results.jsonl").Select(r => r.Object).ToList();
        Assert.Equal(["passed", "failed: wrong answer on test 1 of 2 (1 of 2 passed)", "passed", "failed: wrong answer on test 1 of 1 (0 of 1 passed)"],
            rows.Select(r => r["result"]!.GetValue<string>()));
        Assert.Equal([true, true, true, false], rows.Select(r => r["public_passed"]!.GetValue<bool>()));

        var summary = JsonNode.Parse(File.ReadAllText(OutputPaths.Summary(samples + "_results.jsonl")))!;
        Assert.Equal("raw pass@k", summary["main_column"]!.GetValue<string>());
        Assert.Equal(0.5, summary["pass_at_k"]!["pass@1"]!["value"]!.GetValue<double>(), 9);
        // 0000: both pass the public example, one passes all (1/2); 0001: only the right one passes the public case (1).
        Assert.Equal(0.75, summary["pass_at_k_by"]!["filtered pass@k"]!["pass@1"]!["value"]!.GetValue<double>(), 9);

        // The report evaluate writes reads the APPS folder through the benchmark and shows both tables.
        Assert.DoesNotContain("left out", run.All);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.File("samples.jsonl_report"), "report.json")))!["runs"]![0]!;
        Assert.Equal("apps", report["benchmark"]!.GetValue<string>());
        Assert.Equal(0.75, report["pass_at_k_by"]!["filtered pass@k"]!["1"]!["value"]!.GetValue<double>(), 9);
        Assert.Contains("\nQUESTION:\nAdd.\ndef add(a, b):\n\nUse Call-Based format\nANSWER:\n", File.ReadAllText(Path.Combine(_dir.File("samples.jsonl_report"), "report.html")));
    }

    [Fact]
    public async Task A_problem_without_tests_exits_2_naming_its_folder()
    {
        File.Delete(Path.Combine(_problems, "0001", "input_output.json"));
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), [Fixtures.Sample("APPS/0000", "print(1)\n")]);
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--dataset", "apps", "--problems", _problems]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(Path.Combine(_problems, "0001") + ": this APPS problem folder has no input_output.json", run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
    }

    [Fact]
    public async Task HumanEval_samples_against_APPS_problems_are_named_as_HumanEval()
    {
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), [Fixtures.Sample("HumanEval/0", "    return 1\n")]);
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--dataset", "apps", "--problems", _problems]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("look like humaneval", run.StandardError);
    }
}
