using System.Text.Json.Nodes;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Execution;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

/// <summary>APPS's layout read from disk: prompts, public tests, bad folders, and filtered pass@k's arithmetic.</summary>
public sealed class AppsBenchmarkTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_CodeRL_problems_load_with_APPS_prompts_and_their_public_tests()
    {
        var problems = AppsBenchmark.Instance.Load(AppsFixtures.CopyCodeRlTrain(_dir.Path));
        Assert.Equal(["APPS/0001", "APPS/0111", "APPS/2287", "APPS/2404", "APPS/4184"], problems.Problems.Select(p => p.TaskId));
        var kth = problems.Problems[3];
        Assert.StartsWith("\nQUESTION:\nGiven an array arr", kth.Prompt);
        Assert.EndsWith("\nclass Solution:\n    def findKthPositive(self, arr: List[int], k: int) -> int:\n        \nUse Call-Based format\nANSWER:\n", kth.Prompt);
        Assert.Equal("findKthPositive", kth.EntryPoint);
        Assert.EndsWith("\nUse Standard Input format\nANSWER:\n", problems.Problems[0].Prompt);
        // 2287's first case is the statement's sample; the other two are not in it.
        Assert.Equal([0], problems.Problems[2].Row["public_tests"]!.AsArray().Select(i => i!.GetValue<int>()));
        Assert.Equal("cases whose input and output appear in question.txt", problems.Problems[2].Row["public_tests_from"]!.GetValue<string>());
        Assert.Equal("the first case", problems.Problems[4].Row["public_tests_from"]!.GetValue<string>());
        Assert.Equal("introductory", kth.Row["difficulty"]!.GetValue<string>());
        Assert.True(AppsBenchmark.Instance.LooksLikeItsTaskId("APPS/0001"));
        Assert.Same(AppsBenchmark.Instance, BenchmarkCatalog.Find("apps"));
    }

    [Fact]
    public void The_same_folder_has_the_same_hash_and_a_changed_test_changes_it()
    {
        var folder = AppsFixtures.WriteStdinProblem(_dir.Path, "0001", "Echo.", ("1\n", "1\n"));
        var before = AppsBenchmark.Instance.Load(_dir.Path).Sha256;
        Assert.Equal(before, AppsBenchmark.Instance.Load(_dir.Path).Sha256);
        File.WriteAllText(Path.Combine(folder, "input_output.json"), "{\"inputs\": [\"2\\n\"], \"outputs\": [\"2\\n\"]}");
        Assert.NotEqual(before, AppsBenchmark.Instance.Load(_dir.Path).Sha256);
    }

    [Fact]
    public void A_problem_folder_without_input_output_json_is_named()
    {
        var folder = AppsFixtures.WriteStdinProblem(_dir.Path, "0042", "Echo.", ("1\n", "1\n"));
        File.Delete(Path.Combine(folder, "input_output.json"));
        var error = Assert.Throws<UserInputException>(() => AppsBenchmark.Instance.Load(_dir.Path));
        Assert.Contains(folder + ": this APPS problem folder has no input_output.json", error.Message);
    }

    [Theory]
    [InlineData("{\"inputs\": [\"1\\n\"],\n \"outputs\": [\"1\\n\"\n", "input_output.json:3: not valid JSON")]
    [InlineData("{\"inputs\": [\"1\\n\"]}", "input_output.json: field 'outputs': expected a list")]
    [InlineData("{\"inputs\": [\"1\\n\", \"2\\n\"], \"outputs\": [\"1\\n\"]}", "field 'outputs': 1 outputs for 2 inputs")]
    [InlineData("{\"inputs\": [1], \"outputs\": [1], \"fn_name\": \"f\"}", "case 0 of a call-based problem must be a list of arguments")]
    [InlineData("[1, 2]", "expected a JSON object with inputs and outputs")]
    public void Malformed_tests_name_the_file_and_line_or_field(string tests, string expected)
    {
        var folder = AppsFixtures.WriteStdinProblem(_dir.Path, "0007", "Echo.", ("1\n", "1\n"));
        File.WriteAllText(Path.Combine(folder, "input_output.json"), tests);
        var error = Assert.Throws<UserInputException>(() => AppsBenchmark.Instance.Load(_dir.Path));
        Assert.Contains(expected, error.Message);
        Assert.Contains(Path.Combine(folder, "input_output.json"), error.Message);
    }

    [Fact]
    public void A_file_or_an_empty_folder_is_not_an_APPS_folder()
    {
        Assert.Contains("not a file", Assert.Throws<UserInputException>(() => AppsBenchmark.Instance.Load(_dir.Write("x.jsonl", "{}"))).Message);
        var empty = Directory.CreateDirectory(_dir.File("empty")).FullName;
        Assert.Contains("holds no problem folders", Assert.Throws<UserInputException>(() => AppsBenchmark.Instance.Load(empty)).Message);
    }

    [Theory]
    [InlineData(0, 0, 1, 0.0)]       // nothing passes the public tests: nothing is submitted
    [InlineData(3, 1, 5, 1.0)]       // fewer kept than k: all are submitted, one passes
    [InlineData(3, 0, 5, 0.0)]
    [InlineData(10, 2, 1, 0.2)]      // 1 of the 10 kept, 2 of which pass everything
    [InlineData(10, 2, 5, 1 - 56.0 / 252)] // 1 - C(8,5)/C(10,5)
    public void Filtered_pass_at_k_keeps_up_to_k_of_the_samples_that_pass_the_public_tests(int kept, int passed, int k, double expected)
    {
        Assert.Equal(expected, AppsBenchmark.FilteredPassAtK(kept, passed, k), 12);
    }

    [Fact]
    public void The_filtered_column_counts_only_samples_that_passed_the_public_tests()
    {
        static Judgement J(bool passed, bool publicPassed) => new(
            passed ? ExecutionResult.Pass(TimeSpan.Zero) : ExecutionResult.Fail("wrong answer", TimeSpan.Zero),
            new Dictionary<string, bool> { [AppsBenchmark.PublicPassedFlag] = publicPassed });
        var tasks = new List<TaskJudgements>
        {
            // Solved only by a sample that fails the public tests (inconsistent tests): filtered cannot see it.
            new("APPS/a", [J(true, false), J(false, true), J(false, false)]),
            new("APPS/b", [J(true, true), J(false, false), J(false, true)]),
        };
        var column = AppsBenchmark.Instance.ExtraColumns(tasks, [1, 2, 5])["filtered pass@k"];
        Assert.Equal((0 + 0.5) / 2, column.Estimates["pass@1"].Value, 12);
        Assert.Equal((0 + 1.0) / 2, column.Estimates["pass@2"].Value, 12);
        Assert.False(column.Estimates.ContainsKey("pass@5"));
    }
}
