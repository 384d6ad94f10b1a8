using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Testing;

namespace CodexSharp.Training.Tests;

/// <summary>`codexsharp train` as a user runs it: killed and resumed, refused on bad input, sampled afterwards.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Corpus(string tokenizer = "p50k_base") =>
        TrainingCorpus.Write(dir.File("corpus-" + tokenizer), TrainingCorpus.StandardLibraryTokens, 1024, tokenizer);

    /// <summary>A 12-step tiny run (512 tokens a step, a checkpoint every 3); flags in <paramref name="more"/> replace these.</summary>
    private static string[] Train(string data, string output, params string[] more)
    {
        var flags = new Dictionary<string, string>
        {
            ["--data"] = data, ["--out"] = output, ["--max-steps"] = "12", ["--batch-tokens"] = "512", ["--block-size"] = "32", ["--lr"] = "0.01",
            ["--seed"] = "5", ["--checkpoint-every"] = "3", ["--eval-every"] = "6", ["--eval-batches"] = "1",
        };
        for (var i = 0; i + 1 < more.Length; i += 2) flags[more[i]] = more[i + 1];
        return ["train", .. flags.SelectMany(f => new[] { f.Key, f.Value })];
    }

    private static List<JsonObject> Metrics(string output) =>
        File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private static Dictionary<int, double> TrainLosses(string output) =>
        Metrics(output).Where(r => r["train_loss"] is not null).ToDictionary(r => r["step"]!.GetValue<int>(), r => r["train_loss"]!.GetValue<double>());

    [Fact]
    public async Task Kill_9_then_the_same_command_continues_and_matches_an_uninterrupted_run()
    {
        var data = Corpus();
        var (whole, killed) = (dir.File("whole"), dir.File("killed"));
        var reference = CodexSharpProcess.RunAsync(Train(data, whole), TimeSpan.FromMinutes(4));

        using (var process = Process.Start(CodexSharpProcess.StartInfo(Train(data, killed)))!)
        {
            process.StandardInput.Close();
            var errors = process.StandardError.ReadToEndAsync();
            var seen = new System.Text.StringBuilder();
            // After the checkpoint of step 3, when step 6 is evaluated (its checkpoint comes next): kill -9, nothing gets to clean up.
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                seen.AppendLine(line);
                if (!line.StartsWith("step 6: val loss", StringComparison.Ordinal)) continue;
                process.Kill();
                break;
            }
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 137, $"exit {process.ExitCode}: the run was not killed\n{seen}\n{await errors}");
        }
        var rowsAtKill = Metrics(killed).Count;

        var resumed = await CodexSharpProcess.RunAsync(Train(data, killed), TimeSpan.FromMinutes(4));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var from = System.Text.RegularExpressions.Regex.Match(resumed.StandardOutput, "continuing from the checkpoint of step ([0-9]+)");
        Assert.True(from.Success && int.Parse(from.Groups[1].Value) is 3 or 6, resumed.ToString());
        // Usually the kill lands before step 6's checkpoint: rows 4–6 were in metrics.jsonl and were cut back.
        Assert.True(rowsAtKill >= 7, $"{rowsAtKill} rows at the kill");
        var uninterrupted = await reference;
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());

        var expected = TrainLosses(whole);
        var actual = TrainLosses(killed);
        Assert.Equal(Enumerable.Range(1, 12), expected.Keys.Order());
        Assert.Equal(Enumerable.Range(1, 12), actual.Keys.Order());
        // Each step once: rows after the checkpoint were cut back, not duplicated.
        Assert.Equal(Metrics(whole).Select(r => (r["step"]!.GetValue<int>(), r["val_loss"] is null)), Metrics(killed).Select(r => (r["step"]!.GetValue<int>(), r["val_loss"] is null)));
        foreach (var step in expected.Keys) Assert.True(Math.Abs(expected[step] - actual[step]) <= 1e-5, $"step {step}: {expected[step]} vs {actual[step]}");
        Assert.True(expected[12] < expected[1] - 1, $"loss {expected[1]} → {expected[12]}");

        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(killed, "train.json")))!;
        Assert.Equal("completed", record["status"]!.GetValue<string>());
        Assert.Equal(12, record["progress"]!["step"]!.GetValue<int>());
        Assert.True(File.Exists(Path.Combine(killed, "loss.svg")));

        // The result is an ordinary checkpoint: generate samples from it.
        var problems = dir.Write("problems.jsonl",
            """{"task_id": "t/0", "prompt": "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n", "canonical_solution": "    return a + b\n", "test": "def check(f):\n    assert f(1, 2) == 3\n", "entry_point": "add"}""" + "\n");
        var samples = dir.File("samples.jsonl");
        var generated = await CodexSharpProcess.RunAsync(["generate", "--model", "local:" + killed, "--problems", problems, "-o", samples, "--n", "2", "--max-tokens", "8", "--seed", "1"], TimeSpan.FromMinutes(2));
        Assert.True(generated.ExitCode == 0, generated.ToString());
        var rows = File.ReadAllLines(samples).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("t/0", r["task_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bad_input_is_one_message_and_exit_code_2()
    {
        var data = Corpus();
        var otherTokenizer = Corpus("r50k_base");
        var empty = Directory.CreateDirectory(dir.File("empty")).FullName;
        var init = dir.File("tiny");
        Assert.Equal(0, (await CodexSharpProcess.RunAsync("model", "init", "--preset", "tiny", "--out", init)).ExitCode);
        var done = dir.File("done");
        var first = await CodexSharpProcess.RunAsync(Train(data, done, "--max-steps", "2"));
        Assert.True(first.ExitCode == 0, first.ToString());

        var cases = new (string[] Args, string Message)[]
        {
            (Train(dir.File("missing"), dir.File("o1")), "no such folder"),
            (Train(empty, dir.File("o2")), "has no corpus.json"),
            (Train(otherTokenizer, dir.File("o3")), "the corpus was tokenized with r50k_base, but the model (--preset tiny) uses p50k_base"),
            (Train(data, dir.File("o4"), "--block-size", "512"), "--block-size 512: longer than the model's context (256 tokens"),
            (Train(data, dir.File("o5"), "--init", "local:" + init, "--preset", "30m"), "is 2 layers × 64 wide, 2 heads, but --preset 30m is 6 × 384"),
            (Train(data, dir.File("o6"), "--batch-tokens", "100"), "--batch-tokens 100: expected a multiple of the block size (32)"),
            (Train(data, done, "--max-steps", "2", "--lr", "0.02"), "was written with --lr 0.01, this run has --lr 0.02"),
            (Train(otherTokenizer, done, "--max-steps", "2"), "was trained on other data"),
            (Train(data, init), "holds a checkpoint that no training run wrote"),
            (Train(data, dir.File("o7"), "--init", "local:" + init, "--head-tokens", "100"), "--head-tokens: applies to a fresh model only"),
            (Train(data, dir.File("o8"), "--head-tokens", "60000"), "--head-tokens 60000: expected fewer than the vocabulary's 50281 ids"),
        };
        // Cases that open the same --out folder run one after another: a second run there at the same time
        // is refused for the folder's lock, not for the reason the case checks.
        var runs = new ProcessOutcome[cases.Length];
        await Task.WhenAll(cases.Select((c, i) => (c, i)).GroupBy(x => x.c.Args[Array.IndexOf(x.c.Args, "--out") + 1]).Select(async group =>
        {
            foreach (var (c, i) in group) runs[i] = await CodexSharpProcess.RunAsync(c.Args, TimeSpan.FromMinutes(2));
        }));
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.True(runs[i].ExitCode == 2, $"{string.Join(' ', cases[i].Args)}\n{runs[i]}");
            Assert.Contains(cases[i].Message, runs[i].StandardError);
            Assert.DoesNotContain("   at ", runs[i].All);
        }
    }
}
