using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CodexSharp.Core;

namespace CodexSharp.Reporting.Chains;

/// <summary>
/// Synthetic docstring-chain problems (Chen et al. 2021, §6, Fig. 11): each asks for a function that applies a
/// chain of the 13 <see cref="StringBlocks"/> to a string, one docstring line per block. They are HumanEval-format
/// rows (task_id, prompt, canonical_solution, test, entry_point) plus <c>chain_length</c> and <c>chain</c>, which
/// <c>report</c> uses to plot pass rate against chain length.
/// </summary>
/// <remarks>
/// For each length 1..max, <c>perLength</c> chains are drawn with a seeded generator: blocks uniformly at random,
/// never the same block twice in a row. The tests call the function on five random sentences (letters, some
/// capitals, '!', '?' and '.', single and double spaces) and compare with outputs computed in C#, so the
/// self-check (<c>evaluate --self-check</c>) tests the reference solutions against an independent implementation.
/// The same arguments always give the same file.
/// </remarks>
public static class SynthChains
{
    public const string EntryPoint = "manipulate";
    public const int TestsPerProblem = 5;

    /// <exception cref="UserInputException">A count is out of range.</exception>
    public static List<JsonObject> Generate(int maxLength, int perLength, int seed)
    {
        if (maxLength is < 1 or > 50) throw new UserInputException($"--max-length: expected 1 to 50 blocks per chain, not {maxLength}.");
        if (perLength is < 1 or > 10_000) throw new UserInputException($"--per-length: expected 1 to 10000 problems per length, not {perLength}.");
        var random = new Random(seed);
        var problems = new List<JsonObject>();
        for (var length = 1; length <= maxLength; length++)
            for (var i = 0; i < perLength; i++)
                problems.Add(Problem(length, i, Chain(random, length), random));
        return problems;
    }

    private static List<StringBlock> Chain(Random random, int length)
    {
        var chain = new List<StringBlock>();
        while (chain.Count < length)
        {
            var block = StringBlocks.All[random.Next(StringBlocks.All.Count)];
            if (chain.Count > 0 && chain[^1] == block) continue;
            chain.Add(block);
        }
        return chain;
    }

    private static JsonObject Problem(int length, int index, List<StringBlock> chain, Random random)
    {
        var prompt = new StringBuilder();
        prompt.Append("def ").Append(EntryPoint).Append("(s: str) -> str:\n");
        prompt.Append("    \"\"\"Return the string s changed by the following steps, applied in this order:\n");
        for (var i = 0; i < chain.Count; i++) prompt.Append(CultureInfo.InvariantCulture, $"    {i + 1}. {chain[i].Docstring}\n");
        prompt.Append("    \"\"\"\n");
        var solution = string.Concat(chain.Select(b => $"    {b.Python}\n")) + "    return s\n";
        var test = new StringBuilder("def check(candidate):\n");
        for (var t = 0; t < TestsPerProblem; t++)
        {
            var input = Sentence(random);
            var expected = chain.Aggregate(input, (s, b) => b.Apply(s));
            test.Append("    assert candidate(").Append(PythonString(input)).Append(") == ").Append(PythonString(expected)).Append('\n');
        }
        var blocks = new JsonArray();
        foreach (var b in chain) blocks.Add(b.Name);
        return new JsonObject
        {
            ["task_id"] = $"SynthChain/{length}/{index}",
            ["prompt"] = prompt.ToString(),
            ["canonical_solution"] = solution,
            ["test"] = test.ToString(),
            ["entry_point"] = EntryPoint,
            ["chain_length"] = length,
            ["chain"] = blocks,
        };
    }

    /// <summary>3 to 8 words of 2 to 8 letters, some capitalised, some followed by '!', '?' or '.'; now and then two spaces.</summary>
    private static string Sentence(Random random)
    {
        var text = new StringBuilder();
        var words = random.Next(3, 9);
        for (var w = 0; w < words; w++)
        {
            if (w > 0) text.Append(random.Next(8) == 0 ? "  " : " ");
            var letters = random.Next(2, 9);
            for (var l = 0; l < letters; l++)
            {
                var c = (char)('a' + random.Next(26));
                text.Append(l == 0 && random.Next(5) == 0 ? char.ToUpperInvariant(c) : c);
            }
            if (random.Next(5) == 0) text.Append("!?."[random.Next(3)]);
        }
        return text.ToString();
    }

    /// <summary>A single-quoted Python string literal of ASCII text.</summary>
    public static string PythonString(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
