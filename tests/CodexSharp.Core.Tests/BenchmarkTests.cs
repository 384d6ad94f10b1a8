using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Problems;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

/// <summary>The benchmark abstraction's instances: what they read and show, and how they recognise task ids.</summary>
public sealed class BenchmarkTests
{
    private static string Mbpp => Path.Combine(TestPaths.SharedDatasets, "mbpp", "mbpp.jsonl.gz");

    private static string SanitizedMbpp => Path.Combine(TestPaths.SharedDatasets, "mbpp", "sanitized-mbpp.json");

    [Fact]
    public void Humanevalplus_originfmt_is_the_originfmt_file_run_the_humaneval_way()
    {
        var benchmark = BenchmarkCatalog.Find("humanevalplus-originfmt");
        Assert.IsType<HumanEvalBenchmark>(benchmark);
        Assert.Equal("HumanEvalPlus-OriginFmt.jsonl.gz", benchmark.Published!.FileName);
        var problems = benchmark.Load(Path.Combine(TestPaths.SharedDatasets, "humanevalplus", "HumanEvalPlus-OriginFmt.jsonl.gz"));
        Assert.Equal(164, problems.Count);
        Assert.Equal(ProblemSet.HashFile(Path.Combine(TestPaths.SharedDatasets, "humanevalplus", "HumanEvalPlus-OriginFmt.jsonl.gz")), benchmark.Published.Sha256);
    }

    [Fact]
    public void Mbpp_reads_the_500_test_problems_and_shows_the_task_text_with_its_three_asserts()
    {
        var problems = MbppBenchmark.Full.Load(Mbpp);
        Assert.Equal(500, problems.Count);
        Assert.Equal("Mbpp/11", problems.Problems[0].TaskId);
        Assert.Equal("Mbpp/510", problems.Problems[^1].TaskId);
        Assert.True(problems.TryGet("Mbpp/11", out var first));
        Assert.Equal(
            "\"\"\"\nWrite a python function to remove first and last occurrence of a given character from the string.\n"
            + "assert remove_Occ(\"hello\",\"l\") == \"heo\"\nassert remove_Occ(\"abcda\",\"a\") == \"bcd\"\nassert remove_Occ(\"PHP\",\"P\") == \"H\"\n\"\"\"\n",
            MbppBenchmark.Full.PromptOf(first));
        Assert.Equal("remove_Occ", first.EntryPoint);
        Assert.DoesNotContain("\ndef", MbppBenchmark.Full.StopSequences);
        Assert.Equal(257, MbppBenchmark.Sanitized.Load(SanitizedMbpp).Count);
    }

    [Fact]
    public void Task_ids_are_recognised_by_benchmark()
    {
        Assert.Equal("humaneval", BenchmarkCatalog.Recognise(["HumanEval/0", "HumanEval/1"])[0].Name);
        Assert.Equal("mbpp", BenchmarkCatalog.Recognise(["Mbpp/11", "Mbpp/12"])[0].Name);
        Assert.Empty(BenchmarkCatalog.Recognise(["foo", "bar"]));
        Assert.Equal("mbpp-sanitized", BenchmarkCatalog.Find("MBPP-Sanitized").Name);
        Assert.Equal("humaneval-cs", BenchmarkCatalog.Find("HumanEval-CS").Name);
        Assert.Equal("humaneval-cs", BenchmarkCatalog.Recognise(["HumanEval_0_has_close_elements", "HumanEval_53_add"])[0].Name);
    }

    [Fact]
    public async Task Samples_of_one_benchmark_against_another_exit_2_naming_the_benchmark_they_look_like()
    {
        using var dir = new TempDir();
        var samples = dir.File("mbpp_samples.jsonl");
        File.WriteAllLines(samples, ["{\"task_id\": \"Mbpp/11\", \"completion\": \"pass\"}", "{\"task_id\": \"Mbpp/12\", \"completion\": \"pass\"}"]);
        var config = new EvaluationConfig { SamplesPath = samples, Problems = ProblemSet.Load(TestPaths.HumanEval), Settings = new EvaluationSettings { Workers = 1 } };
        await using var runner = new ScriptedRunner();
        var error = await Assert.ThrowsAsync<UserInputException>(() => new Evaluator(runner).RunAsync(config));
        Assert.Contains("look like mbpp or mbpp-sanitized or mbppplus task ids: pass --dataset mbpp", error.Message);
    }
}
