using System.Text.Json.Nodes;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

/// <summary>How the EvalPlus benchmarks read their files, and what they say about a file that is not right.</summary>
public sealed class EvalPlusBenchmarkTests
{
    private static string HumanEvalPlus => Path.Combine(TestPaths.SharedDatasets, "humanevalplus", "HumanEvalPlus.jsonl.gz");

    private static string MbppPlus => Path.Combine(TestPaths.SharedDatasets, "mbppplus", "MbppPlus.jsonl.gz");

    [Fact]
    public void The_published_files_read_whole_with_pythons_infinity_kept_for_the_judge()
    {
        Assert.Same(EvalPlusBenchmark.HumanEvalPlus, BenchmarkCatalog.Find("humanevalplus"));
        Assert.Same(EvalPlusBenchmark.MbppPlus, BenchmarkCatalog.Find("mbppplus"));
        Assert.Equal(Problems.ProblemSet.HashFile(HumanEvalPlus), EvalPlusBenchmark.HumanEvalPlus.Published!.Sha256);
        Assert.Equal(Problems.ProblemSet.HashFile(MbppPlus), EvalPlusBenchmark.MbppPlus.Published!.Sha256);

        var humanEval = EvalPlusBenchmark.HumanEvalPlus.Load(HumanEvalPlus);
        Assert.Equal(164, humanEval.Count);
        Assert.True(humanEval.TryGet("HumanEval/32", out var findZero));
        Assert.Equal("find_zero", findZero.EntryPoint);

        var mbpp = EvalPlusBenchmark.MbppPlus.Load(MbppPlus);
        Assert.Equal(378, mbpp.Count);
        // MBPP+ writes float('inf') as Python does, bare Infinity; the judge reads the row as written.
        Assert.Contains(mbpp.Problems, p => p.Test.Contains("Infinity", StringComparison.Ordinal));
        Assert.All(mbpp.Problems, p => Assert.True(EvalPlusBenchmark.MbppPlus.LooksLikeItsTaskId(p.TaskId), p.TaskId));
        Assert.Equal(MbppBenchmark.Full.StopSequences, EvalPlusBenchmark.MbppPlus.StopSequences);
        Assert.Equal("base+plus", EvalPlusBenchmark.MbppPlus.MainColumn);
    }

    [Theory]
    [InlineData("base_input", null, "field 'base_input': missing (expected a list of inputs, each a list of arguments).")]
    [InlineData("plus_input", "7", "field 'plus_input': expected a list of inputs, each a list of arguments; found number.")]
    [InlineData("base_input", "[[1], 2]", "field 'base_input': input 1 is not a list of arguments.")]
    [InlineData("atol", "\"small\"", "field 'atol': expected a number of at least 0")]
    [InlineData("entry_point", null, "field 'entry_point': missing (expected a string).")]
    [InlineData("prompt", "[]", "field 'prompt': expected a string, found array.")]
    public void A_row_without_what_the_judge_needs_is_named_by_file_line_and_field(string field, string? value, string expected)
    {
        using var dir = new TempDir();
        var good = new JsonObject
        {
            ["task_id"] = "HumanEval/0", ["prompt"] = "def f(x):\n", ["canonical_solution"] = "    return x\n", ["entry_point"] = "f",
            ["base_input"] = new JsonArray(new JsonArray(1)), ["plus_input"] = new JsonArray(), ["atol"] = 0,
        };
        var bad = (JsonObject)good.DeepClone();
        bad["task_id"] = "HumanEval/1";
        if (value is null) bad.Remove(field);
        else bad[field] = JsonNode.Parse(value);
        var path = dir.Write("problems.jsonl", good.ToJsonString() + "\n" + bad.ToJsonString() + "\n");

        var error = Assert.Throws<UserInputException>(() => EvalPlusBenchmark.HumanEvalPlus.Load(path));
        Assert.StartsWith($"{path}:2: " + expected, error.Message);
    }
}
