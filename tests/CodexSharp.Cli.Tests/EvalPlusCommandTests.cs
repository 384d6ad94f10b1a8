using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary><c>evaluate --dataset humanevalplus|mbppplus</c> from the command line: the two tables, the fields, bad input.</summary>
public sealed class EvalPlusCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string?> OwnCache => new() { ["CODEXSHARP_CACHE_DIR"] = _dir.File("cache") };

    private static JsonObject Problem(string taskId = "HumanEval/7") => new()
    {
        ["task_id"] = taskId, ["prompt"] = "def triple(x):\n    \"\"\"Three times x.\"\"\"\n", ["canonical_solution"] = "    return 3 * x\n",
        ["entry_point"] = "triple", ["base_input"] = JsonNode.Parse("[[1], [2]]"), ["plus_input"] = JsonNode.Parse("[[-5], [10000]]"), ["atol"] = 0,
    };

    [Fact]
    public async Task Base_and_base_plus_pass_at_k_are_printed_side_by_side_and_each_row_has_both_verdicts()
    {
        var problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Problem()]);
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"),
            [Fixtures.Sample("HumanEval/7", "    return 3 * x\n"), Fixtures.Sample("HumanEval/7", "    return 3 * abs(x)\n")]);

        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--dataset", "humanevalplus", "--problems", problems, "--k", "1", "--no-report"],
            environment: OwnCache);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"metric\s*│\s*base\s*│\s*95% CI\s*│\s*base\+plus\s*│", run.StandardOutput);
        Assert.Matches(@"pass@1\s*│\s*100\.00%\s*│.*│\s*50\.00%", run.StandardOutput);
        var rows = JsonlFile.Read(samples + "_results.jsonl").Select(r => r.Object).ToList();
        Assert.Equal([true, false], rows.Select(r => r["passed"]!.GetValue<bool>()));
        Assert.Equal([true, true], rows.Select(r => r["base_passed"]!.GetValue<bool>()));
        Assert.Equal("failed: plus_input[0] (of 2): expected -15, got 15", rows[1]["result"]!.GetValue<string>());
        var summary = JsonNode.Parse(File.ReadAllText(samples + "_results.summary.json"))!;
        Assert.Equal("base+plus", summary["main_column"]!.GetValue<string>());
        Assert.Equal(0.5, summary["pass_at_k"]!["pass@1"]!["value"]!.GetValue<double>());
        Assert.Equal(1.0, summary["pass_at_k_by"]!["base"]!["pass@1"]!["value"]!.GetValue<double>());
        Assert.StartsWith("EvalPlus's, measured in each sample's process: per input max(1 s, 4 x reference time)", summary["config"]!["time_limits"]!.GetValue<string>());
        Assert.Equal("none", summary["config"]!["cpu_limit"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_problems_file_without_base_input_exits_2_naming_file_line_and_field()
    {
        var broken = Problem("HumanEval/8");
        broken.Remove("base_input");
        var problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Problem(), broken]);
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), [Fixtures.Sample("HumanEval/7", "    return 3 * x\n")]);

        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--dataset", "humanevalplus", "--problems", problems], environment: OwnCache);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"{problems}:2: field 'base_input': missing (expected a list of inputs, each a list of arguments).", run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
    }

    [Fact]
    public async Task Mbpp_samples_against_humaneval_plus_exit_2_naming_the_benchmarks_they_look_like()
    {
        var problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Problem()]);
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), [Fixtures.Sample("Mbpp/2", "    pass\n")]);

        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--dataset", "humanevalplus", "--problems", problems], environment: OwnCache);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("(humanevalplus); its task ids (e.g. 'Mbpp/2') look like mbpp or mbpp-sanitized or mbppplus task ids: pass --dataset mbpp", run.StandardError);
    }
}
