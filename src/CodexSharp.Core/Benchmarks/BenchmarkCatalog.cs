namespace CodexSharp.Core.Benchmarks;

/// <summary>The benchmarks <c>--dataset NAME</c> knows, one line each.</summary>
public static class BenchmarkCatalog
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        HumanEvalBenchmark.Instance,
        HumanEvalBenchmark.Plus,
        MbppBenchmark.Full,
        MbppBenchmark.Sanitized,
        HumanEvalCSharpBenchmark.Instance,
        EvalPlusBenchmark.HumanEvalPlus,
        EvalPlusBenchmark.MbppPlus,
        AppsBenchmark.Instance,
    ];

    /// <summary>The default benchmark: HumanEval.</summary>
    public static Benchmark Default => HumanEvalBenchmark.Instance;

    /// <summary>The benchmark called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Benchmark? TryFind(string name) => All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The benchmark called <paramref name="name"/>.</summary>
    /// <exception cref="UserInputException">No benchmark has that name.</exception>
    public static Benchmark Find(string name)
    {
        if (TryFind(name) is { } benchmark) return benchmark;
        throw new UserInputException($"--dataset: no benchmark called '{name}'; known: {string.Join(", ", All.Select(b => b.Name))}.");
    }

    /// <summary>The benchmarks whose task ids look like most of <paramref name="taskIds"/>, best first.</summary>
    public static IReadOnlyList<Benchmark> Recognise(IReadOnlyCollection<string> taskIds)
    {
        if (taskIds.Count == 0) return [];
        return All.Select(b => (Benchmark: b, Matches: taskIds.Count(b.LooksLikeItsTaskId)))
            .Where(m => m.Matches * 2 > taskIds.Count)
            .OrderByDescending(m => m.Matches)
            .Select(m => m.Benchmark)
            .ToList();
    }
}
