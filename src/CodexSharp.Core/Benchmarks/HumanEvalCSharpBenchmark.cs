using System.Text.RegularExpressions;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// MultiPL-E's C# translation of HumanEval (humaneval-cs, "reworded" prompts: 158 problems), judged as MultiPL-E
/// judges it: the program is <c>prompt + completion + "\n" + tests</c>, where the completion is the method body
/// (sampling stops at <c>"\n    }\n"</c>) and <c>tests</c> closes the method and holds a <c>Main</c> of
/// <c>Debug.Assert</c> checks, compiled with DEBUG defined. A sample passes when that Main returns. Task ids are
/// MultiPL-E's <c>name</c> (<c>HumanEval_0_has_close_elements</c>). MultiPL-E's licence forbids training on it.
/// </summary>
public sealed partial class HumanEvalCSharpBenchmark : Benchmark
{
    public static HumanEvalCSharpBenchmark Instance { get; } = new();

    public override string Name => "humaneval-cs";

    public override string Description => "MultiPL-E's C# HumanEval (158 problems), compiled and run on the installed .NET SDK; never train on it";

    public override string Language => ProgramLanguages.CSharp;

    /// <summary>MultiPL-E's stop token for C#: the line that closes the method.</summary>
    public override IReadOnlyList<string> StopSequences { get; } = ["\n    }\n"];

    public override string LayoutDescription => "a JSONL file in MultiPL-E's prompt format: name, prompt, tests (humaneval-cs-reworded.jsonl)";

    /// <summary>Reads MultiPL-E rows; the entry point is the C# method the prompt declares.</summary>
    public override ProblemSet Load(string path)
    {
        var problems = new List<Problem>();
        foreach (var row in JsonlFile.Read(path))
        {
            var name = row.RequireString(path, "name");
            var prompt = row.RequireString(path, "prompt");
            var method = MethodName().Matches(prompt).LastOrDefault()?.Groups[1].Value
                ?? throw UserInputException.At(path, row.Line, "prompt", "expected a C# method signature ending the prompt (\"public static T Name(...) {\").");
            problems.Add(new Problem(name, prompt, ReferenceCompletions.GetValueOrDefault(name, ""), row.RequireString(path, "tests"), method, row.Object));
        }
        return ProblemSet.Create(path, problems, ProblemSet.HashFile(path));
    }

    public override bool LooksLikeItsTaskId(string taskId) => TaskIdForm().IsMatch(taskId);

    /// <summary>MultiPL-E has no C# reference solutions: a hand-written one for the problems in <see cref="ReferenceCompletions"/>, else empty (not checked).</summary>
    public override string CanonicalCompletion(Problem problem) => problem.CanonicalSolution;

    public override Task<IJudge> PrepareAsync(BenchmarkRun run, CancellationToken cancellationToken) =>
        Task.FromResult<IJudge>(new SingleProgramJudge(run, ProgramFor));

    /// <summary>The program MultiPL-E compiles for a completion.</summary>
    public static string ProgramFor(Problem problem, string completion) => string.Concat(problem.Prompt, completion, "\n", problem.Test);

    /// <summary>
    /// Hand-written correct completions (method bodies, as a model would write them after the prompt) for a few
    /// problems. MultiPL-E ships no reference solutions for C#; these are what `evaluate --self-check` runs.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReferenceCompletions { get; } = new Dictionary<string, string>
    {
        ["HumanEval_0_has_close_elements"] = """
                    for (int i = 0; i < numbers.Count; i++) {
                        for (int j = i + 1; j < numbers.Count; j++) {
                            if (Math.Abs(numbers[i] - numbers[j]) < threshold) return true;
                        }
                    }
                    return false;
            """,
        ["HumanEval_13_greatest_common_divisor"] = """
                    while (b != 0) {
                        long rest = a % b;
                        a = b;
                        b = rest;
                    }
                    return a;
            """,
        ["HumanEval_16_count_distinct_characters"] = """
                    return str.ToLowerInvariant().Distinct().Count();
            """,
        ["HumanEval_23_strlen"] = """
                    return str.Length;
            """,
        ["HumanEval_24_largest_divisor"] = """
                    for (long d = n - 1; d > 1; d--) {
                        if (n % d == 0) return d;
                    }
                    return 1;
            """,
        ["HumanEval_27_flip_case"] = """
                    var flipped = new StringBuilder(str.Length);
                    foreach (var c in str) flipped.Append(char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
                    return flipped.ToString();
            """,
        ["HumanEval_28_concatenate"] = """
                    return string.Concat(strings);
            """,
        ["HumanEval_35_max_element"] = """
                    return l.Max();
            """,
        ["HumanEval_53_add"] = """
                    return x + y;
            """,
        ["HumanEval_55_fib"] = """
                    long a = 0, b = 1;
                    for (long i = 0; i < n; i++) {
                        long next = a + b;
                        a = b;
                        b = next;
                    }
                    return a;
            """,
        ["HumanEval_60_sum_to_n"] = """
                    return n * (n + 1) / 2;
            """,
    };

    [GeneratedRegex(@"^HumanEval_\d+_\w+$")]
    private static partial Regex TaskIdForm();

    [GeneratedRegex(@"static\s+[^\n(]*?\b(\w+)\s*\([^\n]*\)\s*\{\s*$")]
    private static partial Regex MethodName();
}
