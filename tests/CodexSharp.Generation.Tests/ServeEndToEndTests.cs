using System.Text.Json.Nodes;
using CodexSharp.Generation.Running;
using CodexSharp.Generation.Tests.Fixtures;

namespace CodexSharp.Generation.Tests;

/// <summary>
/// End to end: <c>codexsharp generate</c> and <c>codexsharp run</c> as child processes against the real
/// <c>codexsharp serve</c> over a tiny random model on loopback, including SIGKILL mid-run and resume.
/// </summary>
public sealed class ServeEndToEndTests(ServedTinyModel served) : IClassFixture<ServedTinyModel>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-e2e-").FullName;
    private readonly string[] _taskIds = TinyProblems.Tasks().Select(t => t.TaskId).ToArray();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Generate_killed_with_sigkill_mid_run_resumes_to_exactly_n_per_task()
    {
        var outPath = Path.Combine(_dir, "samples.jsonl");
        var args = GenerateProcess.Args(served.Spec, outPath, 3, "--samples-per-request", "1", "--concurrency", "1", "--max-tokens", "32", "--seed", "11", "--temperature", "0.8");
        Assert.True(await GenerateProcess.KillAfterRowsAsync(args, outPath, 1), "generate finished before it could be killed");
        var afterKill = SamplesFileAssert.Rows(outPath).Count;
        Assert.InRange(afterKill, 1, 8);
        SamplesFileAssert.AtMostNPerTaskNoDuplicates(outPath, 3);

        var outcome = await GenerateProcess.RunAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        SamplesFileAssert.ExactlyNPerTask(outPath, _taskIds, 3);
        Assert.Contains($"{9 - afterKill} new, {afterKill} already there", outcome.StandardOutput);
        var rows = SamplesFileAssert.Rows(outPath);
        Assert.All(rows, r => Assert.NotNull(r["mean_logprob"]));
        Assert.All(rows, r => Assert.Equal(r["completion"]!.GetValue<string>(), CodexSharp.Core.Generation.StopSequences.Truncate(r["raw_completion"]!.GetValue<string>(), CodexSharp.Core.Generation.StopSequences.Paper)));
    }

    [Fact]
    public async Task Run_against_serve_generates_evaluates_and_summarises()
    {
        var outPath = Path.Combine(_dir, "run.jsonl");
        string[] args = ["run", "--model", served.Spec, "--problems", TinyProblems.Path, "--n", "2", "--out", outPath, "--k", "1", "--max-tokens", "24", "--workers", "1"];
        var outcome = await GenerateProcess.RunAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        SamplesFileAssert.ExactlyNPerTask(outPath, _taskIds, 2);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "run.jsonl_results.summary.json")))!;
        Assert.Equal(3, summary["problems_evaluated"]!.GetValue<int>());
        Assert.InRange(summary["pass_at_k"]!["pass@1"]!["value"]!.GetValue<double>(), 0, 1);
    }

    [Fact]
    public async Task A_model_name_serve_does_not_serve_is_pointed_out_before_and_refused()
    {
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:not-this-one@{served.BaseUrl}", Path.Combine(_dir, "wrong.jsonl"), 1, "--max-tokens", "8"));
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"lists {served.ModelName}, not 'not-this-one'", outcome.StandardError.ReplaceLineEndings(" "));
        Assert.Contains("does not serve a model called 'not-this-one'", outcome.StandardError);
        Assert.DoesNotContain("   at ", outcome.All);
    }

    [Fact]
    public async Task Generate_runs_our_checkpoint_in_process_as_local_dir()
    {
        var outPath = Path.Combine(_dir, "local.jsonl");
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args("local:" + served.Checkpoint, outPath, 2, "--max-tokens", "16", "--seed", "3"));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        SamplesFileAssert.ExactlyNPerTask(outPath, _taskIds, 2);
        Assert.All(SamplesFileAssert.Rows(outPath), r => Assert.NotNull(r["sum_logprob"]));
        Assert.Contains("\"dtype\": \"float32\"", File.ReadAllText(GenerationRecord.PathFor(outPath)));

        // One row at a time: a seeded sample does not depend on the batch it is decoded in.
        var oneRowPath = Path.Combine(_dir, "local-one-row.jsonl");
        var oneRow = await GenerateProcess.RunAsync(GenerateProcess.Args("local:" + served.Checkpoint, oneRowPath, 2, "--max-tokens", "16", "--seed", "3", "--max-batch-rows", "1"));
        Assert.True(oneRow.ExitCode == 0, oneRow.ToString());
        static IEnumerable<string> Completions(string path) => SamplesFileAssert.Rows(path)
            .OrderBy(r => r["task_id"]!.ToString(), StringComparer.Ordinal).ThenBy(r => r["sample_index"]!.GetValue<int>()).Select(r => r["completion"]!.ToString());
        Assert.Equal(Completions(outPath), Completions(oneRowPath));
        Assert.Contains("\"max_batch_rows\": 1", File.ReadAllText(GenerationRecord.PathFor(oneRowPath)));

        var bf16Path = Path.Combine(_dir, "local-bf16.jsonl");
        var bf16 = await GenerateProcess.RunAsync(GenerateProcess.Args("local:" + served.Checkpoint, bf16Path, 2, "--max-tokens", "16", "--seed", "3", "--bf16"));
        Assert.True(bf16.ExitCode == 0, bf16.ToString());
        SamplesFileAssert.ExactlyNPerTask(bf16Path, _taskIds, 2);
        Assert.Contains("\"dtype\": \"bfloat16\"", File.ReadAllText(GenerationRecord.PathFor(bf16Path)));
        var remote = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{served.ModelName}@{served.BaseUrl}", Path.Combine(_dir, "remote-bf16.jsonl"), 1, "--bf16"));
        Assert.Equal(2, remote.ExitCode);
        Assert.Contains("--bf16: only for models run in process", remote.StandardError);

        var missing = await GenerateProcess.RunAsync(GenerateProcess.Args("local:" + Path.Combine(_dir, "no-such-checkpoint"), Path.Combine(_dir, "missing.jsonl"), 1));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no-such-checkpoint", missing.StandardError);
        Assert.DoesNotContain("   at ", missing.All);
    }

    [Fact]
    public async Task More_samples_per_request_than_serve_takes_are_split_after_its_400()
    {
        var outPath = Path.Combine(_dir, "many.jsonl");
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args(served.Spec, outPath, 250, "--samples-per-request", "250", "--max-tokens", "1", "--limit", "1", "--seed", "4"));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("refused n = 250 (400, param n); asking for at most 125 per request from now on", outcome.All);
        SamplesFileAssert.ExactlyNPerTask(outPath, _taskIds.Take(1), 250);
    }

    [Fact]
    public async Task A_seeded_sample_depends_on_seed_task_and_index_only_not_on_how_requests_are_split()
    {
        async Task<List<string>> Generate(string model, string name, int n, params string[] extra)
        {
            var path = Path.Combine(_dir, name);
            var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args(model, path, n, ["--max-tokens", "12", "--seed", "9", "--temperature", "1.0", .. extra]));
            Assert.True(outcome.ExitCode == 0, outcome.ToString());
            return SamplesFileAssert.Rows(path)
                .OrderBy(r => r["task_id"]!.ToString(), StringComparer.Ordinal).ThenBy(r => r["sample_index"]!.GetValue<int>())
                .Select(r => $"{r["task_id"]}#{r["sample_index"]}: {r["raw_completion"]}").ToList();
        }

        foreach (var (model, tag) in new[] { ("local:" + served.Checkpoint, "local"), (served.Spec, "serve") })
        {
            var direct = await Generate(model, $"{tag}-direct.jsonl", 6);
            Assert.True(direct.Distinct().Count() > 6, "a temperature of 1 should give different samples");
            Assert.Equal(direct, await Generate(model, $"{tag}-split.jsonl", 6, "--samples-per-request", "4"));
            Assert.Equal(direct, await Generate(model, $"{tag}-one-each.jsonl", 6, "--samples-per-request", "1"));
            await Generate(model, $"{tag}-topped-up.jsonl", 2);
            Assert.Equal(direct, await Generate(model, $"{tag}-topped-up.jsonl", 6));
        }
    }

    /// <summary>The three tiny problems and one whose prompt (about 600 tokens) is longer than the tiny model's 256-token context.</summary>
    private string ProblemsWithALongPrompt()
    {
        var path = Path.Combine(_dir, "with-long.jsonl");
        var docstring = string.Join("\n    ", Enumerable.Range(0, 60).Select(i => $"Step {i}: read the value, check it and add it to the total."));
        var row = new JsonObject
        {
            ["task_id"] = "Tiny/long",
            ["prompt"] = $"def total(xs):\n    \"\"\"{docstring}\n    \"\"\"\n",
            ["canonical_solution"] = "    return sum(xs)\n",
            ["test"] = "def check(candidate):\n    assert candidate([1, 2]) == 3\n",
            ["entry_point"] = "total",
        };
        File.WriteAllLines(path, [.. File.ReadAllLines(TinyProblems.Path), row.ToJsonString()]);
        return path;
    }

    [Fact]
    public async Task An_in_process_model_cuts_a_long_prompt_and_says_so_per_task_and_in_the_record()
    {
        var outPath = Path.Combine(_dir, "long-local.jsonl");
        string[] args = ["generate", "--model", "local:" + served.Checkpoint, "--problems", ProblemsWithALongPrompt(), "--n", "2", "--out", outPath, "--max-tokens", "8", "--seed", "1"];
        var outcome = await GenerateProcess.RunAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        SamplesFileAssert.ExactlyNPerTask(outPath, [.. _taskIds, "Tiny/long"], 2);
        var warning = Assert.Single(outcome.StandardError.Split('\n'), l => l.Contains("Tiny/long: the prompt is longer than the model's context"));
        Assert.Matches(@"its first \d+ tokens were dropped", warning);
        Assert.Contains("1 task(s) had their prompt cut to fit the model's context (Tiny/long)", outcome.StandardError);
        var truncated = Assert.Single(GenerationRecord.Read(outPath)!["truncated_prompts"]!.AsArray())!;
        Assert.Equal("Tiny/long", truncated["task_id"]!.GetValue<string>());
        Assert.InRange(truncated["prompt_tokens_dropped"]!.GetValue<int>(), 1, 10_000);
        Assert.Contains($"its first {truncated["prompt_tokens_dropped"]} tokens", warning);
    }

    [Fact]
    public async Task A_prompt_longer_than_served_context_fails_that_task_only_through_serve()
    {
        var outPath = Path.Combine(_dir, "long-served.jsonl");
        string[] args = ["generate", "--model", served.Spec, "--problems", ProblemsWithALongPrompt(), "--n", "2", "--out", outPath, "--max-tokens", "8", "--samples-per-request", "1"];
        var outcome = await GenerateProcess.RunAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.DoesNotContain("run the same command again to continue", outcome.All);
        Assert.Contains("Tiny/long: not generated", outcome.StandardError);
        Assert.Contains("1 of 4 task(s) were not generated (Tiny/long)", outcome.StandardError);
        SamplesFileAssert.ExactlyNPerTask(outPath, _taskIds, 2);
        var record = GenerationRecord.Read(outPath)!;
        Assert.Equal("incomplete", record["status"]!.GetValue<string>());
        var failed = Assert.Single(record["failed_tasks"]!.AsArray())!;
        Assert.Equal("Tiny/long", failed["task_id"]!.GetValue<string>());
        Assert.Contains("HTTP 400", failed["error"]!.GetValue<string>());
    }
}
