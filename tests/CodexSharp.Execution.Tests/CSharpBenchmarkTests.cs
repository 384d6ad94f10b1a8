using CodexSharp.Core.Benchmarks;

namespace CodexSharp.Execution.Tests;

/// <summary>The humaneval-cs benchmark on the real MultiPL-E file, judged by the real C# runner.</summary>
[Collection(CSharpSandboxCollection.Name)]
public sealed class CSharpBenchmarkTests(CSharpSandboxFixture sandbox)
{
    private static readonly Lazy<Core.Problems.ProblemSet> Problems = new(() => HumanEvalCSharpBenchmark.Instance.Load(CSharpSandboxFixture.DatasetPath));

    [Fact]
    public void The_file_reads_as_158_problems_with_their_csharp_entry_points()
    {
        var problems = Problems.Value;
        Assert.Equal(158, problems.Count);
        Assert.True(problems.TryGet("HumanEval_0_has_close_elements", out var first));
        Assert.Equal("HasCloseElements", first.EntryPoint);
        Assert.All(problems.Problems, p => Assert.True(HumanEvalCSharpBenchmark.Instance.LooksLikeItsTaskId(p.TaskId), p.TaskId));
        Assert.False(HumanEvalCSharpBenchmark.Instance.LooksLikeItsTaskId("HumanEval/0"));
    }

    [Fact]
    public async Task Every_reference_completion_passes_and_each_broken_one_fails()
    {
        var benchmark = HumanEvalCSharpBenchmark.Instance;
        Assert.NotEmpty(HumanEvalCSharpBenchmark.ReferenceCompletions);
        var judge = await benchmark.PrepareAsync(new BenchmarkRun(Problems.Value, [], sandbox.Runner!, Path.GetTempPath(), 2, null, _ => { }), CancellationToken.None);
        var references = HumanEvalCSharpBenchmark.ReferenceCompletions.Select(pair => (Problem: Find(pair.Key), Completion: benchmark.CanonicalCompletion(Find(pair.Key)))).ToList();
        var passes = await Task.WhenAll(references.Select(r => judge.JudgeAsync(r.Problem, r.Completion, new RunLimits(CSharpSandboxFixture.NormalTimeout), CancellationToken.None)));
        Assert.All(passes.Zip(references), pair => Assert.True(pair.First.Result.Passed, $"{pair.Second.Problem.TaskId}: {pair.First.Result.Result}"));
        // The same method bodies, each returning its method's default instead of its answer, must all fail.
        var broken = await Task.WhenAll(references.Select(r => judge.JudgeAsync(r.Problem, "        return default;", new RunLimits(CSharpSandboxFixture.NormalTimeout), CancellationToken.None)));
        Assert.All(broken.Zip(references), pair => Assert.False(pair.First.Result.Passed, pair.Second.Problem.TaskId));
    }

    private static Core.Problems.Problem Find(string taskId)
    {
        Assert.True(Problems.Value.TryGet(taskId, out var problem), taskId);
        return problem;
    }
}
