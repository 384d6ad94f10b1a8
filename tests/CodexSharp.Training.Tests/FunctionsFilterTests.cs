using System.Text.Json.Nodes;
using CodexSharp.Core.Problems;
using CodexSharp.Testing;

namespace CodexSharp.Training.Tests;

/// <summary>
/// <c>corpus functions --filter-with</c>, end to end: the real command samples every checked problem from a real
/// HTTP server on 127.0.0.1, runs the samples in the sandbox and keeps only the problems one sample solved.
/// </summary>
public sealed class FunctionsFilterTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonObject MbppRow(int id, string text, string code, params string[] tests) => new()
    {
        ["text"] = text, ["code"] = code, ["task_id"] = id, ["test_setup_code"] = "", ["test_list"] = new JsonArray(tests.Select(t => (JsonNode)t).ToArray()),
        ["challenge_test_list"] = new JsonArray(),
    };

    [Fact]
    public async Task Filter_keeps_the_problems_that_one_of_the_models_samples_solves()
    {
        var mbpp = Fixtures.WriteJsonl(_dir.File("mbpp.jsonl"),
        [
            MbppRow(601, "Write a function to add two numbers.", "def add_nums(a, b):\n    return a + b", "assert add_nums(1, 2) == 3", "assert add_nums(0, 0) == 0"),
            MbppRow(602, "Write a function to double a number.", "def double(x):\n    return 2 * x", "assert double(2) == 4", "assert double(0) == 0"),
            MbppRow(603, "Write a function to negate a number.", "def negate(x):\n    return -x", "assert negate(2) == -2"),
        ]);
        // The model solves add_nums with its second sample only, answers double wrongly every time, and negate
        // with every sample.
        await using var server = await ScriptedModelServer.StartAsync(s => s.CompletionText = (prompt, i) =>
            prompt.Contains("def add_nums", StringComparison.Ordinal) ? (i == 1 ? "    return a + b\n" : "    return a - b\n")
            : prompt.Contains("def double", StringComparison.Ordinal) ? "    return x + 3\n"
            : "    return -x\n");
        var output = _dir.File("functions.jsonl");
        var run = await CodexSharpProcess.RunAsync(
            ["corpus", "functions", mbpp, "--out", output, "--no-decontaminate", "--filter-with", $"openai:{server.ModelName}@{server.BaseUrl}", "--filter-n", "3"],
            TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 0, run.ToString());

        Assert.Equal(["MBPP-train/601", "MBPP-train/603"], ProblemSet.Load(output).Problems.Select(p => p.TaskId));
        Assert.Equal(3, ProblemSet.Load(_dir.File("functions.candidates.jsonl")).Count);
        var manifest = JsonNode.Parse(File.ReadAllText(_dir.File("functions.manifest.json")))!;
        Assert.Equal(2, (int)manifest["problems"]!);
        Assert.Equal(1, (int)manifest["dropped"]!["unsolved_by_filter_model"]!);
        Assert.Equal(3, (int)manifest["filter"]!["samples_per_problem"]!);
        Assert.Equal(4, (int)manifest["filter"]!["samples_passed"]!);
        Assert.Equal(9, (int)manifest["filter"]!["samples_run"]!);
    }
}
