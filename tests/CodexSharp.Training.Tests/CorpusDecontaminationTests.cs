using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Tests;

/// <summary>Files holding benchmark text are found, in every benchmark format, and ordinary code is not.</summary>
public sealed class CorpusDecontaminationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ContaminationIndex Index(params BenchmarkFile[] files)
    {
        var settings = new CorpusFilterSettings();
        return new ContaminationIndex(settings.ContaminationWindowChars, settings.MinSolutionChars, files);
    }

    private static bool Contaminated(ContaminationIndex index, string file) => index.Contains(WhitespaceNormalizer.Normalize(file));

    [Fact]
    public void A_canonical_solution_is_found_whatever_its_indentation_and_line_ends()
    {
        var index = Index(BenchmarkFile.Read(CorpusFixtures.HumanEvalFile(_dir)));
        var reindented = "class Ledger:\r\n    def run(self, events):\r\n" + CorpusFixtures.Solution.Replace("\n", "\r\n").Replace("    ", "        ") + "\r\n";
        Assert.True(Contaminated(index, reindented));
        // One statement changed: not the solution any more.
        Assert.False(Contaminated(index, reindented.Replace("history.append(balance)", "history.insert(0, balance)")));
        // The one-line solution is below the threshold and is not searched for.
        Assert.False(Contaminated(index, "def f(items):\n" + CorpusFixtures.ShortSolution));
        Assert.Equal(1, index.Facts.Single().SolutionsUsed);
        Assert.Equal(1, index.Facts.Single().SolutionsTooShort);
    }

    [Fact]
    public void Any_50_character_window_of_a_docstring_is_found_but_49_characters_are_not()
    {
        var index = Index(BenchmarkFile.Read(CorpusFixtures.HumanEvalFile(_dir)));
        var docstring = WhitespaceNormalizer.Normalize(BenchmarkFile.Docstrings(CorpusFixtures.Prompt).Single());
        for (var start = 0; start + 50 <= docstring.Length; start += 7)
        {
            Assert.True(Contaminated(index, $"# note\nx = '{docstring.Substring(start, 50)}'\n"), $"window at {start}");
        }
        Assert.False(Contaminated(index, $"x = '{docstring[..49]}'\n"));
    }

    [Fact]
    public void Mbpp_rows_and_a_json_array_are_read_by_their_fields()
    {
        const string text = "Write a function to count the vowels of a string, ignoring the case of each letter.";
        const string code = "def count_vowels(s):\r\n\tcount = 0\r\n\tfor ch in s.lower():\r\n\t\tif ch in 'aeiouy':\r\n\t\t\tcount += 1\r\n\treturn count if count > 0 else -1";
        var row = new JsonObject { ["text"] = text, ["code"] = code, ["task_id"] = 11, ["test_list"] = new JsonArray("assert count_vowels('a') == 1") };
        var jsonl = _dir.File("mbpp.jsonl.gz");
        JsonlFile.WriteAllAtomic(jsonl, [row]);
        var array = _dir.Write("sanitized-mbpp.json", new JsonArray(new JsonObject { ["prompt"] = text, ["code"] = code }).ToJsonString());
        foreach (var path in new[] { jsonl, array })
        {
            var file = BenchmarkFile.Read(path);
            Assert.Equal("mbpp", file.Format);
            var index = Index(file);
            Assert.Equal(1, index.Facts.Single().SolutionsUsed);
            Assert.True(Contaminated(index, "def count_vowels(s):\n    count = 0\n    for ch in s.lower():\n        if ch in 'aeiouy':\n            count += 1\n    return count if count > 0 else -1\n"));
            Assert.True(Contaminated(index, "# Write a function to count the vowels of a string, ignoring case\n"));
            Assert.False(Contaminated(index, CorpusFixtures.Module("vowels")));
        }
    }

    [Fact]
    public void EvalPlus_rows_with_bare_infinity_are_read()
    {
        var line = "{\"task_id\": \"Mbpp/2\", \"prompt\": \"\\\"\\\"\\\"\\nWrite a function to find the shared elements from the given two lists, NaN or -Infinity.\\n\\\"\\\"\\\"\\n\", "
                   + "\"canonical_solution\": \"x\", \"plus_input\": [[-Infinity, NaN], [Infinity]], \"atol\": 0}\n";
        var file = BenchmarkFile.Read(_dir.Write("MbppPlus.jsonl", line));
        Assert.Equal("humaneval", file.Format);
        Assert.Contains("NaN or -Infinity.", file.Problems.Single().Docstrings.Single());
    }

    [Fact]
    public void A_file_of_another_format_names_the_line_and_the_fields_expected()
    {
        var path = _dir.Write("samples.jsonl", "{\"task_id\": \"HumanEval/0\", \"completion\": \"x\"}\n");
        var error = Assert.Throws<CodexSharp.Core.UserInputException>(() => BenchmarkFile.Read(path));
        Assert.Contains("samples.jsonl:1: expected prompt + canonical_solution", error.Message);
    }

    [Fact]
    public void The_real_HumanEval_file_drops_a_file_holding_a_canonical_solution_and_keeps_ordinary_code()
    {
        var humanEval = BenchmarkFile.Read(TestPaths.HumanEval);
        var index = Index(humanEval);
        Assert.Equal(164, humanEval.Problems.Count);
        var facts = index.Facts.Single();
        Assert.True(facts.SolutionsUsed > 40 && facts.SolutionsTooShort > 40, $"{facts.SolutionsUsed} used, {facts.SolutionsTooShort} too short");
        // Task 0's solution, pasted into a module at another indentation.
        var solution = humanEval.Problems[0].Solution;
        Assert.True(Contaminated(index, "import sys\n\n\ndef close(numbers, threshold):\n" + solution.Replace("    ", "  ") + "\nprint(sys.argv)\n"));
        // A docstring window of task 0 in a comment.
        Assert.True(Contaminated(index, "# Check if in given list of numbers, are any two numbers closer to each other than given threshold.\n"));
        Assert.False(Contaminated(index, CorpusFixtures.Module("ordinary")));
    }
}
