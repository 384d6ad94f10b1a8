using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Training.Tests;

/// <summary>
/// The paper's back-translation (§5) end to end: a tiny model fine-tuned with <c>--task docstring</c> on crafted
/// problems ranks, by log p(docstring | code), the sample that does what the docstring says above one that does not;
/// the same model before fine-tuning cannot tell them apart. Then it writes docstrings for the samples.
/// </summary>
public sealed class BackTranslationTests(TinyInit tiny) : IClassFixture<TinyInit>, IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>For each problem: the correct sample's back-translation score minus the best wrong one's.</summary>
    private async Task<List<double>> Margins(string model, string samples, string problems, string output)
    {
        var run = await CodexSharpProcess.RunAsync(["rank", samples, "--model", model, "--method", "backtranslation", "--problems", problems, "--out", output], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonlFile.Read(output).Select(r => r.Object).GroupBy(r => (string)r["task_id"]!)
            .Select(g => (double)g.Single(r => (bool)r["passed"]!)["backtranslation_logprob"]! - g.Where(r => !(bool)r["passed"]!).Max(r => (double)r["backtranslation_logprob"]!))
            .ToList();
    }

    [Fact]
    public async Task A_fine_tuned_codex_d_ranks_the_sample_that_matches_the_docstring_first()
    {
        var data = TotalOrCount.Write(dir.File("loops.jsonl"));
        // Problems outside the training set (another name and argument), each with one sample per behaviour.
        var problems = new List<JsonObject>();
        var samples = new List<JsonObject>();
        foreach (var (docstring, _) in TotalOrCount.Behaviours)
        {
            var taskId = $"Case/{problems.Count}";
            problems.Add(new JsonObject { ["task_id"] = taskId, ["prompt"] = $"def solve(numbers):\n    \"\"\"{docstring}\"\"\"\n", ["canonical_solution"] = "", ["test"] = "", ["entry_point"] = "solve" });
            foreach (var (other, body) in TotalOrCount.Behaviours)
                samples.Add(new JsonObject { ["task_id"] = taskId, ["completion"] = string.Format(body, "numbers"), ["passed"] = other == docstring });
        }
        var problemsPath = Fixtures.WriteJsonl(dir.File("cases.jsonl"), problems);
        var samplesPath = Fixtures.WriteJsonl(dir.File("samples_results.jsonl"), samples);

        var codexD = dir.File("codex-d");
        var trained = await CodexSharpProcess.RunAsync(
        [
            "finetune", "--init", "local:" + tiny.Directory, "--data", data, "--out", codexD, "--task", "docstring", "--lr", "0.01",
            "--batch-tokens", "256", "--max-steps", "120", "--eval-every", "40", "--checkpoint-every", "1000", "--val-fraction", "0.1", "--seed", "0",
        ], TimeSpan.FromMinutes(4));
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Equal("docstring", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(codexD, "config.json")))!["task"]!);

        var before = await Margins("local:" + tiny.Directory, samplesPath, problemsPath, dir.File("before.jsonl"));
        var after = await Margins("local:" + codexD, samplesPath, problemsPath, dir.File("after.jsonl"));
        // Untrained, the body moves log p(docstring) by hundredths of a nat; fine-tuned, the matching body wins by nats.
        Assert.True(before.All(m => Math.Abs(m) < 0.5), $"before fine-tuning: {string.Join(", ", before)}");
        Assert.True(after.All(m => m > 1.0), $"after fine-tuning: {string.Join(", ", after)}");

        // Codex-D writes each sample's docstring (greedy): the one its body was trained with.
        var docstrings = dir.File("docstrings.jsonl");
        var written = await CodexSharpProcess.RunAsync(["generate", "--task", "docstring", "--model", "local:" + codexD, "--samples", samplesPath,
            "--problems", problemsPath, "--out", docstrings, "--temperature", "0", "--max-tokens", "16"], TimeSpan.FromMinutes(2));
        Assert.True(written.ExitCode == 0, written.ToString());
        var rows = JsonlFile.Read(docstrings).Select(r => r.Object).OrderBy(r => (int)r["sample_row"]!).ToList();
        Assert.Equal(samples.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal((string)samples[i]["completion"]!, (string)rows[i]["completion"]!);
            var expected = TotalOrCount.Behaviours.Single(b => string.Format(b.Body, "numbers") == (string)samples[i]["completion"]!).Docstring;
            Assert.Equal(expected, (string)rows[i]["docstring"]!);
            Assert.Equal("stop", (string)rows[i]["docstring_finish_reason"]!);
        }
    }
}
