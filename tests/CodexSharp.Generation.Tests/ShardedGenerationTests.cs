using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Generation.Tests.Fixtures;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests;

/// <summary><c>generate --shard</c>, <c>run --shard</c> and their merge, as child processes against a loopback server.</summary>
public sealed class ShardedGenerationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-shard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File_(string name) => Path.Combine(_dir, name);

    /// <summary>A server whose answer depends only on the prompt and the choice: the same sample whichever machine asks.</summary>
    private static Task<ScriptedModelServer> ServerAsync() => ScriptedModelServer.StartAsync(s => s.CompletionText = (prompt, i) =>
        prompt.Contains("def add(") ? (i % 2 == 0 ? "    return a + b\n" : "    return a - b\n")
        : prompt.Contains("def shout(") ? $"    return s.upper() + '!' * {1 - i % 2}\n"
        : $"    return [x for x in xs if x % 2 == {i % 2}]\n");

    private static string Model(ScriptedModelServer server) => $"openai:{server.ModelName}@{server.BaseUrl}";

    [Fact]
    public async Task Merged_sample_shards_equal_one_machines_samples_byte_for_byte()
    {
        await using var server = await ServerAsync();
        string[] flags = ["--samples-per-request", "2", "--concurrency", "1", "--seed", "3"];
        var whole = File_("whole.jsonl");
        var one = await GenerateProcess.RunAsync(GenerateProcess.Args(Model(server), whole, 5, flags));
        Assert.True(one.ExitCode == 0, one.ToString());

        var samples = File_("sharded.jsonl");
        for (var i = 0; i < 2; i++)
        {
            var shard = await GenerateProcess.RunAsync(GenerateProcess.Args(Model(server), samples, 5, [.. flags, "--shard", $"{i}/2"]));
            Assert.True(shard.ExitCode == 0, shard.ToString());
            Assert.Contains($"shard {i}/2 (from --shard)", shard.StandardError);
        }
        var record = JsonNode.Parse(File.ReadAllText(OutputPaths.Config(OutputPaths.Shard(samples, 0, 2))))!;
        Assert.Equal(2, record["shard"]!["tasks"]!.AsArray().Count); // three tasks: two in shard 0, one in shard 1
        Assert.Equal(3, record["dataset_tasks"]!.GetValue<int>());

        // A shard cut mid-line is refused, then the same command repairs it and the merge equals the one-machine file.
        var cut = OutputPaths.Shard(samples, 0, 2);
        var bytes = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, bytes[..^7]);
        var merged = File_("merged.jsonl");
        var refused = await GenerateProcess.RunAsync(["merge", _dir, "-o", merged]);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains($"{cut}: its last line is cut short", refused.StandardError);
        Assert.False(File.Exists(merged));
        var repaired = await GenerateProcess.RunAsync(GenerateProcess.Args(Model(server), samples, 5, [.. flags, "--shard", "0/2"]));
        Assert.True(repaired.ExitCode == 0, repaired.ToString());
        Assert.Contains("removed an incomplete last line", repaired.All);

        var merge = await GenerateProcess.RunAsync(["merge", OutputPaths.Shard(samples, 1, 2), cut, "-o", merged]);
        Assert.True(merge.ExitCode == 0, merge.ToString());
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(merged));
        var mergedRecord = JsonNode.Parse(File.ReadAllText(OutputPaths.Config(merged)))!;
        Assert.Equal("completed", mergedRecord["status"]!.GetValue<string>());
        Assert.Equal(15, mergedRecord["samples_in_file"]!.GetValue<int>());
        Assert.Null(mergedRecord["shard"]);

        // A shard sampled with another temperature does not belong.
        var other = File_("hot.jsonl");
        var hot = await GenerateProcess.RunAsync(GenerateProcess.Args(Model(server), other, 5, [.. flags, "--shard", "1/2", "--temperature", "0.9"]));
        Assert.True(hot.ExitCode == 0, hot.ToString());
        var mixed = await GenerateProcess.RunAsync(["merge", cut, OutputPaths.Shard(other, 1, 2), "-o", File_("mixed.jsonl")]);
        Assert.True(mixed.ExitCode == 2, mixed.ToString());
        Assert.Contains("temperature: 0.2 vs 0.9", mixed.StandardError);
    }

    [Fact]
    public async Task Run_shards_merge_into_the_results_of_one_machines_run()
    {
        await using var server = await ServerAsync();
        string[] common = ["--model", Model(server), "--problems", TinyProblems.Path, "--n", "4", "--samples-per-request", "2", "--concurrency", "1", "--k", "1,2", "--workers", "2", "--no-report"];
        var whole = await GenerateProcess.RunAsync(["run", .. common, "--out", File_("whole.jsonl")]);
        Assert.True(whole.ExitCode == 0, whole.ToString());

        var samples = File_("parts.jsonl");
        for (var i = 0; i < 3; i++)
        {
            var shard = await GenerateProcess.RunAsync(["run", .. common, "--out", samples, "--shard", $"{i}/3"]);
            Assert.True(shard.ExitCode == 0, shard.ToString());
        }
        var results = Enumerable.Range(0, 3).Select(i => OutputPaths.Shard(samples, i, 3) + "_results.jsonl").ToArray();
        var mergedSamples = await GenerateProcess.RunAsync(["merge", .. Enumerable.Range(0, 3).Select(i => OutputPaths.Shard(samples, i, 3)), "-o", samples]);
        Assert.True(mergedSamples.ExitCode == 0, mergedSamples.ToString());
        Assert.Equal(File.ReadAllBytes(File_("whole.jsonl")), File.ReadAllBytes(samples));
        var mergedResults = await GenerateProcess.RunAsync(["merge", .. results, "-o", samples + "_results.jsonl", "--no-report"]);
        Assert.True(mergedResults.ExitCode == 0, mergedResults.ToString());
        Assert.Equal(File.ReadAllBytes(File_("whole.jsonl_results.jsonl")), File.ReadAllBytes(samples + "_results.jsonl"));
        var one = JsonNode.Parse(File.ReadAllText(File_("whole.jsonl_results.summary.json")))!;
        var all = JsonNode.Parse(File.ReadAllText(samples + "_results.summary.json"))!;
        Assert.True(JsonNode.DeepEquals(one["pass_at_k"], all["pass_at_k"]), $"{one["pass_at_k"]} vs {all["pass_at_k"]}");
    }
}
