using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>
/// The models that ship in the repository's models/ folder: <c>--model default</c> runs with nothing but the
/// clone, and the committed evaluation samples give the model card's numbers again when evaluated here.
/// </summary>
public sealed class ShippedModelTests : IDisposable
{
    private static readonly string Card = Path.Combine(TestPaths.RepoRoot, "models", "codexsharp-7m");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_default_model_and_its_docstring_sibling_run_from_the_clone()
    {
        var samples = _dir.File("samples.jsonl");
        var run = await CodexSharpProcess.RunAsync(
            ["run", "--model", "default", "--problems", TestPaths.HumanEval, "--limit", "2", "--n", "2", "--max-tokens", "24", "--seed", "3",
             "--out", samples, "--k", "1", "--no-report"], TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("pass@1", run.StandardOutput);
        var rows = JsonlFile.Read(samples).Select(r => r.Object).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.True(r["mean_logprob"]!.GetValue<double>() < 0));

        var docstrings = _dir.File("docstrings.jsonl");
        var written = await CodexSharpProcess.RunAsync(
            ["generate", "--model", "default-docstring", "--task", "docstring", "--samples", samples, "--problems", TestPaths.HumanEval,
             "--out", docstrings, "--max-tokens", "16", "--seed", "3"], TimeSpan.FromMinutes(3));
        Assert.True(written.ExitCode == 0, written.ToString());
        Assert.Equal(4, JsonlFile.Read(docstrings).Count());
    }

    [Fact]
    public async Task The_committed_samples_give_the_cards_per_task_counts_again()
    {
        foreach (var temperature in new[] { "0.2", "0.8" })
        {
            var stem = Path.Combine(Card, "eval", $"humaneval-t{temperature}");
            var summary = JsonNode.Parse(File.ReadAllText(stem + "_results.summary.json"))!;
            var recorded = summary["tasks"]!.AsObject();

            // Every task's samples are committed, as many as the generation record says, and the first four tasks
            // and up to four that have passing samples evaluate to the recorded counts.
            var record = JsonNode.Parse(File.ReadAllText(stem + ".config.json"))!;
            Assert.Equal(temperature, record["temperature"]!.GetValue<double>().ToString(System.Globalization.CultureInfo.InvariantCulture));
            var all = JsonlFile.Read(stem + ".jsonl.gz").Select(r => r.Object).ToList();
            Assert.Equal(164 * record["samples_per_task"]!.GetValue<int>(), all.Count);
            var ids = all.Select(r => r["task_id"]!.GetValue<string>()).Distinct().ToList();
            var tasks = ids.Take(4).Concat(ids.Where(id => recorded[id]!["passed"]!.GetValue<int>() > 0).Take(4)).ToHashSet();
            var subset = _dir.File($"subset-{temperature}.jsonl");
            JsonlFile.WriteAllAtomic(subset, all.Where(r => tasks.Contains(r["task_id"]!.GetValue<string>())));
            var run = await CodexSharpProcess.RunAsync(["evaluate", subset, "--problems", TestPaths.HumanEval, "--k", "1", "--no-report"], TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, run.ToString());
            var again = JsonNode.Parse(File.ReadAllText(_dir.File($"subset-{temperature}.jsonl_results.summary.json")))!["tasks"]!.AsObject();
            foreach (var task in tasks)
            {
                Assert.Equal(recorded[task]!["n"]!.GetValue<int>(), again[task]!["n"]!.GetValue<int>());
                Assert.Equal(recorded[task]!["passed"]!.GetValue<int>(), again[task]!["passed"]!.GetValue<int>());
            }
        }
    }
}
