using System.Text;
using System.Text.Json.Nodes;
using CodexSharp.Testing;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Tests;

/// <summary>Small Python files and benchmark files for the corpus tests.</summary>
internal static class CorpusFixtures
{
    /// <summary>An ordinary module that passes every filter; <paramref name="name"/> makes its text unique.</summary>
    public static string Module(string name) => CodexSharpProcess.Lines(
        $"\"\"\"Helpers for {name}.\"\"\"",
        "import os",
        "",
        "",
        $"def {name}(values, scale=2):",
        "    total = 0",
        "    for value in values:",
        "        total += value * scale",
        "    return total",
        "",
        "",
        $"class {char.ToUpperInvariant(name[0])}{name[1..]}Reader:",
        "    def __init__(self, path):",
        "        self.path = os.path.abspath(path)",
        "",
        "    def read(self):",
        "        with open(self.path) as handle:",
        "            return handle.read()");

    /// <summary>A HumanEval-style problem whose solution is long enough to be searched for.</summary>
    public const string Prompt =
        "def rolling_balance(events: list) -> list:\n" +
        "    \"\"\" Given a list of deposit and withdrawal amounts, return the running balance after each event,\n" +
        "    never letting the balance drop below zero.\n" +
        "    >>> rolling_balance([5, -10, 3])\n" +
        "    [5, 0, 3]\n" +
        "    \"\"\"\n";

    public const string Solution =
        "    balance = 0\n" +
        "    history = []\n" +
        "    for amount in events:\n" +
        "        balance = max(0, balance + amount)\n" +
        "        history.append(balance)\n" +
        "    return history\n";

    /// <summary>A one-line solution: below the length threshold, so never searched for.</summary>
    public const string ShortSolution = "    return sorted(set(items))\n";

    /// <summary>Writes a HumanEval-format JSONL file with the two problems above.</summary>
    public static string HumanEvalFile(TempDir dir)
    {
        var rows = new[]
        {
            new JsonObject { ["task_id"] = "Toy/0", ["prompt"] = Prompt, ["canonical_solution"] = Solution, ["test"] = "", ["entry_point"] = "rolling_balance" },
            new JsonObject { ["task_id"] = "Toy/1", ["prompt"] = "def unique(items):\n    \"\"\"Sorted unique items.\"\"\"\n", ["canonical_solution"] = ShortSolution, ["test"] = "", ["entry_point"] = "unique" },
        };
        return dir.Write("toy-humaneval.jsonl", string.Concat(rows.Select(r => r.ToJsonString() + "\n")));
    }

    /// <summary>A corpus config over <paramref name="sources"/> writing to DIR/out, with the toy benchmark.</summary>
    public static CorpusConfig Config(TempDir dir, params string[] sources) => new()
    {
        Sources = sources,
        OutputDirectory = dir.File("out"),
        Benchmarks = [HumanEvalFile(dir)],
        Threads = 2,
    };

    /// <summary>Writes <paramref name="files"/> (relative name → text) under DIR/<paramref name="folder"/>.</summary>
    public static string Folder(TempDir dir, string folder, IEnumerable<(string Name, string Text)> files)
    {
        var root = dir.File(folder);
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(false));
        }
        return root;
    }
}
