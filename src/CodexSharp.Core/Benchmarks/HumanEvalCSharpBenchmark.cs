namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// MultiPL-E's C# translation of HumanEval (humaneval-cs, "reworded" prompts).
/// </summary>
public sealed class HumanEvalCSharpBenchmark
{
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
}
