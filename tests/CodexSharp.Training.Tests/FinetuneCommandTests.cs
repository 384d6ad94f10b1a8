using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Testing;

namespace CodexSharp.Training.Tests;

/// <summary>`codexsharp finetune` as a user runs it: killed and resumed, stopped early keeping the best model, refused on bad input.</summary>
public sealed class FinetuneCommandTests(TinyInit tiny) : IClassFixture<TinyInit>, IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>An 8-step Codex-S run (256 tokens a step); flags in <paramref name="more"/> replace these.</summary>
    private string[] Finetune(string data, string output, params string[] more)
    {
        var flags = new Dictionary<string, string>
        {
            ["--init"] = "local:" + tiny.Directory, ["--data"] = data, ["--out"] = output, ["--max-steps"] = "8", ["--batch-tokens"] = "256",
            ["--lr"] = "0.01", ["--seed"] = "5", ["--checkpoint-every"] = "3", ["--eval-every"] = "2", ["--val-fraction"] = "0.1", ["--patience"] = "10",
        };
        for (var i = 0; i + 1 < more.Length; i += 2)
        {
            if (more[i + 1].Length == 0) flags.Remove(more[i]);
            else flags[more[i]] = more[i + 1];
        }
        return ["finetune", .. flags.SelectMany(f => new[] { f.Key, f.Value })];
    }

    private static List<JsonObject> Metrics(string output) =>
        File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private static Dictionary<int, double> TrainLosses(string output) =>
        Metrics(output).Where(r => r["train_loss"] is not null).ToDictionary(r => r["step"]!.GetValue<int>(), r => r["train_loss"]!.GetValue<double>());

    private static JsonNode Record(string output) => JsonNode.Parse(File.ReadAllText(Path.Combine(output, "finetune.json")))!;

    [Fact]
    public async Task Kill_9_then_the_same_command_continues_and_matches_an_uninterrupted_run()
    {
        var data = FinetuneData.Write(dir.File("crafted.jsonl"));
        var (whole, killed) = (dir.File("whole"), dir.File("killed"));
        var reference = CodexSharpProcess.RunAsync(Finetune(data, whole), TimeSpan.FromMinutes(3));

        using (var process = Process.Start(CodexSharpProcess.StartInfo(Finetune(data, killed)))!)
        {
            process.StandardInput.Close();
            var errors = process.StandardError.ReadToEndAsync();
            var seen = new System.Text.StringBuilder();
            // After the checkpoint of step 3, when step 4 is evaluated (the next checkpoint is step 6): kill -9.
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                seen.AppendLine(line);
                if (!line.StartsWith("step 4: val loss", StringComparison.Ordinal)) continue;
                process.Kill();
                break;
            }
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 137, $"exit {process.ExitCode}: the run was not killed\n{seen}\n{await errors}");
        }
        var resumed = await CodexSharpProcess.RunAsync(Finetune(data, killed), TimeSpan.FromMinutes(3));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("continuing from the checkpoint of step 3", resumed.StandardOutput);
        var uninterrupted = await reference;
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());

        var expected = TrainLosses(whole);
        var actual = TrainLosses(killed);
        Assert.Equal(Enumerable.Range(1, 8), expected.Keys.Order());
        Assert.Equal(Enumerable.Range(1, 8), actual.Keys.Order());
        // Each step and each evaluation once: rows after the checkpoint were cut back, not duplicated.
        Assert.Equal(Metrics(whole).Select(r => (r["step"]!.GetValue<int>(), r["val_loss"] is null)), Metrics(killed).Select(r => (r["step"]!.GetValue<int>(), r["val_loss"] is null)));
        foreach (var step in expected.Keys) Assert.True(Math.Abs(expected[step] - actual[step]) <= 1e-5, $"step {step}: {expected[step]} vs {actual[step]}");
        Assert.True(expected[8] < expected[1] - 2, $"loss {expected[1]} → {expected[8]}");

        var record = Record(killed);
        Assert.Equal("completed", (string)record["status"]!);
        Assert.Equal(8, (int)record["progress"]!["step"]!);
        Assert.Equal(64, (int)record["data"]!["problems"]!);
        Assert.Equal(58, (int)record["data"]!["train_examples"]!);
        Assert.Equal(6, (int)record["data"]!["val_examples"]!);
        Assert.Equal(0, (int)record["data"]!["dropped_too_long"]!);
        var validation = record["val_losses"]!.AsArray().Select(v => ((int)v!["step"]!, (double)v["val_loss"]!)).ToList();
        Assert.Equal([0, 2, 4, 6, 8], validation.Select(v => v.Item1));
        var best = validation.MinBy(v => v.Item2);
        Assert.Equal(best.Item1, (int)record["best"]!["step"]!);
        Assert.True(validation[^1].Item2 < validation[0].Item2 - 2, string.Join(", ", validation));
        Assert.Equal("solve", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(killed, "config.json")))!["task"]!);
        Assert.Equal(0.01, (double)record["config"]!["lr"]!);
        Assert.True((double)record["compute"]!["cpu_seconds"]! > 0);

        // The folder now belongs to this run: other settings are refused, naming the setting.
        foreach (var (flag, value, message) in new[] { ("--lr", "0.02", "was written with --lr 0.01, this run has --lr 0.02"), ("--task", "docstring", "was written with --task solve, this run has --task docstring") })
        {
            var other = await CodexSharpProcess.RunAsync(Finetune(data, killed, flag, value), TimeSpan.FromMinutes(2));
            Assert.True(other.ExitCode == 2, other.ToString());
            Assert.Contains(message, other.StandardError);
        }
    }

    [Fact]
    public async Task Stops_when_the_validation_loss_stops_improving_and_keeps_the_best_model()
    {
        var data = FinetuneData.Write(dir.File("crafted.jsonl"));
        var output = dir.File("diverged");
        // A learning rate of 1 throws the weights far off at its first step: the validation loss only gets worse.
        var args = Finetune(data, output, "--lr", "1", "--max-steps", "20", "--eval-every", "1", "--patience", "2", "--checkpoint-every", "100");
        var run = await CodexSharpProcess.RunAsync(args, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("stopped early after step 2", run.StandardOutput);
        var record = Record(output);
        Assert.Equal("early stop", (string)record["status"]!);
        Assert.Equal(2, (int)record["progress"]!["step"]!);
        Assert.Equal(0, (int)record["best"]!["step"]!);
        var losses = record["val_losses"]!.AsArray().Select(v => (double)v!["val_loss"]!).ToList();
        Assert.True(losses.Count == 3 && losses[1] > losses[0] && losses[2] > losses[0], string.Join(", ", losses));
        // The kept model is the best one, the starting weights, not the last.
        Assert.Equal(File.ReadAllBytes(Path.Combine(tiny.Directory, "model.safetensors")), File.ReadAllBytes(Path.Combine(output, "model.safetensors")));

        // Run again: the finished run is not continued.
        var again = await CodexSharpProcess.RunAsync(args, TimeSpan.FromMinutes(2));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(2, (int)Record(output)["progress"]!["step"]!);
        Assert.Equal(5, Metrics(output).Count);
    }

    [Fact]
    public async Task Bad_input_is_one_message_and_exit_code_2()
    {
        var data = FinetuneData.Write(dir.File("crafted.jsonl"));
        var noSolution = dir.Write("no-solution.jsonl", File.ReadLines(data).First() + "\n" + """{"task_id": "x/1", "prompt": "def f(a):\n", "test": "", "entry_point": "f"}""" + "\n");
        var broken = dir.Write("broken.jsonl", """{"task_id": "x/0", "prompt": "def f(a):\n", "canonical_solution": "    return a +\n", "test": "", "entry_point": "f"}""" + "\n");
        var noDocstring = dir.Write("no-docstring.jsonl", """{"task_id": "x/0", "prompt": "def f(a):\n", "canonical_solution": "    return a\n", "test": "", "entry_point": "f"}""" + "\n");
        var empty = Directory.CreateDirectory(dir.File("empty")).FullName;
        var solveModel = tiny.CopyWithTask(dir.File("codex-s"), "solve");
        var docstringModel = tiny.CopyWithTask(dir.File("codex-d"), "docstring");
        var problems = dir.Write("problems.jsonl", """{"task_id": "p/0", "prompt": "def f(a):\n    \"\"\"Return a.\"\"\"\n", "canonical_solution": "    return a\n", "test": "", "entry_point": "f"}""" + "\n");
        var samples = dir.Write("samples.jsonl", """{"task_id": "p/0", "completion": "    return a\n"}""" + "\n");

        var cases = new (string[] Args, string Message)[]
        {
            (Finetune(noSolution, dir.File("o1")), $"{noSolution}:2: field 'canonical_solution': missing"),
            (Finetune(broken, dir.File("o2")), $"{broken}:1: field 'canonical_solution': the prompt followed by it does not parse as Python"),
            (Finetune(noDocstring, dir.File("o3"), "--task", "docstring"), $"{noDocstring}:1: field 'prompt': 'f' has no docstring"),
            (Finetune(data, dir.File("o4"), "--init", "local:" + empty), "not a model folder: expected config.json and model.safetensors"),
            (Finetune(data, dir.File("o5"), "--init", tiny.Directory), "expected local:DIR"),
            // The shipped model's name is taken as --model takes it: the run gets past --init to the data's own mistake.
            (Finetune(noSolution, dir.File("o7"), "--init", "default", "--lr", "1e-4"), $"{noSolution}:2: field 'canonical_solution': missing"),
            (Finetune(data, dir.File("o6"), "--lr", ""), "--lr: required, because --init local:" + tiny.Directory + " has no train.json"),
            (Finetune(data, tiny.Directory), "holds a checkpoint that no finetune run wrote"),
            (["generate", "--task", "docstring", "--model", "local:" + solveModel, "--samples", samples, "--problems", problems, "--out", dir.File("d.jsonl")],
                "was fine-tuned with --task solve (Codex-S) and writes code"),
            (["generate", "--model", "local:" + docstringModel, "--problems", problems, "--out", dir.File("s.jsonl")], "is a Codex-D model (fine-tuned with --task docstring) and writes docstrings, not code"),
        };
        var runs = await Task.WhenAll(cases.Select(c => CodexSharpProcess.RunAsync(c.Args, TimeSpan.FromMinutes(2))));
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.True(runs[i].ExitCode == 2, $"{string.Join(' ', cases[i].Args)}\n{runs[i]}");
            Assert.Contains(cases[i].Message, runs[i].StandardError);
            Assert.DoesNotContain("   at ", runs[i].All);
        }
    }
}
