using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>`evaluate --shard` and `merge` as a user runs them: real processes, the real sandbox, real files.</summary>
public sealed class ShardCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _problems;
    private readonly string _samples;

    public ShardCommandTests()
    {
        _problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), Enumerable.Range(0, 6).Select(i => Fixtures.AddProblem($"Toy/{i}")));
        // Six tasks of unequal size, rows interleaved across tasks, passing and failing, and one row of an unknown task.
        var rows = Enumerable.Range(0, 40).Select(i => Fixtures.Sample($"Toy/{i % 6 * (i % 3 == 0 ? 1 : 0) + i % 2}", i % 4 == 0 ? "    return a - b\n" : "    return a + b\n")).ToList();
        rows.Insert(7, Fixtures.Sample("Other/1", "    return 1\n"));
        _samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), rows);
    }

    public void Dispose() => _dir.Dispose();

    private string[] Evaluate(string output, params string[] extra) =>
        ["evaluate", _samples, "--problems", _problems, "--output", output, "--k", "1,2", "--workers", "2", "--no-report", .. extra];

    private async Task<List<string>> ShardsAsync(string output, int count, params string[] extra)
    {
        var paths = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var run = await CodexSharpProcess.RunAsync(Evaluate(output, ["--shard", $"{i}/{count}", .. extra]));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"shard {i}/{count} (from --shard)", run.StandardError);
            paths.Add(OutputPaths.Shard(output, i, count));
        }
        return paths;
    }

    [Fact]
    public async Task Merged_shards_equal_the_one_machine_results_byte_for_byte_with_the_same_pass_at_k()
    {
        var whole = _dir.File("whole.jsonl");
        var run = await CodexSharpProcess.RunAsync(Evaluate(whole));
        Assert.True(run.ExitCode == 0, run.ToString());

        var output = _dir.File("sharded.jsonl");
        var shards = await ShardsAsync(output, 3);
        Assert.All(shards, s => Assert.True(File.Exists(s) && File.Exists(OutputPaths.Config(s)) && File.Exists(OutputPaths.Summary(s))));
        Assert.False(File.Exists(output));
        var record = JsonNode.Parse(File.ReadAllText(OutputPaths.Config(shards[1])))!;
        Assert.Equal(1, record["shard"]!["index"]!.GetValue<int>());
        Assert.Equal(3, record["shard"]!["count"]!.GetValue<int>());
        Assert.Equal(64, record["samples"]!["sha256"]!.GetValue<string>().Length);

        // Given in any order, or as the folder that holds them.
        var merged = _dir.File("merged.jsonl");
        var merge = await CodexSharpProcess.RunAsync(["merge", shards[2], shards[0], shards[1], "-o", merged]);
        Assert.True(merge.ExitCode == 0, merge.ToString());
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(merged));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "merged_report", "report.html")), merge.ToString());

        var one = JsonNode.Parse(File.ReadAllText(OutputPaths.Summary(whole)))!;
        var all = JsonNode.Parse(File.ReadAllText(OutputPaths.Summary(merged)))!;
        foreach (var field in new[] { "pass_at_k", "counts", "tasks", "problems_evaluated", "problems_without_samples", "skipped_k" })
            Assert.True(JsonNode.DeepEquals(one[field], all[field]), $"{field}: {one[field]} vs {all[field]}");
        var mergedRecord = JsonNode.Parse(File.ReadAllText(OutputPaths.Config(merged)))!;
        Assert.Equal("completed", mergedRecord["status"]!.GetValue<string>());
        Assert.Null(mergedRecord["shard"]);
        Assert.Equal(3, mergedRecord["merged_from"]!.AsArray().Count);

        var folder = Directory.CreateDirectory(_dir.File("shards")).FullName;
        foreach (var s in shards)
            foreach (var f in new[] { s, OutputPaths.Config(s), OutputPaths.Summary(s) }) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        var fromFolder = _dir.File("from-folder.jsonl");
        var byFolder = await CodexSharpProcess.RunAsync(["merge", folder, "-o", fromFolder, "--no-report"]);
        Assert.True(byFolder.ExitCode == 0, byFolder.ToString());
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(fromFolder));
    }

    [Fact]
    public async Task The_shard_comes_from_a_slurm_array_or_an_indexed_job_and_the_run_says_which()
    {
        var output = _dir.File("env.jsonl");
        var slurm = await CodexSharpProcess.RunAsync(Evaluate(output), environment: new Dictionary<string, string?> { ["SLURM_ARRAY_TASK_ID"] = "1", ["SLURM_ARRAY_TASK_COUNT"] = "2" });
        Assert.True(slurm.ExitCode == 0, slurm.ToString());
        Assert.Contains("shard 1/2 (from SLURM_ARRAY_TASK_ID=1 and SLURM_ARRAY_TASK_COUNT=2)", slurm.StandardError);
        Assert.True(File.Exists(OutputPaths.Shard(output, 1, 2)));

        var k8s = await CodexSharpProcess.RunAsync(Evaluate(output, "--shards", "2"), environment: new Dictionary<string, string?> { ["JOB_COMPLETION_INDEX"] = "0" });
        Assert.True(k8s.ExitCode == 0, k8s.ToString());
        Assert.Contains("shard 0/2 (from JOB_COMPLETION_INDEX=0 and --shards 2)", k8s.StandardError);
        var merge = await CodexSharpProcess.RunAsync(["merge", OutputPaths.Shard(output, 0, 2), OutputPaths.Shard(output, 1, 2), "-o", output, "--no-report"]);
        Assert.True(merge.ExitCode == 0, merge.ToString());
        Assert.Equal(41, File.ReadAllLines(output).Length);
    }

    [Theory]
    [InlineData("--shard 5/4", null, null, "--shard: '5/4': the shard index must be 0 to 3")]
    [InlineData("--shard 0/0", null, null, "--shard: '0/0': the number of shards must be 1")]
    [InlineData("--shard one/4", null, null, "--shard: 'one/4' is not I/N")]
    [InlineData("--shard 0/99", null, null, "--shard: 99 shards, but the work has only")]
    [InlineData("", "SLURM_ARRAY_TASK_ID", "2", "--shards: SLURM_ARRAY_TASK_ID=2 is set but not the number of shards")]
    [InlineData("--shards 4", "JOB_COMPLETION_INDEX", "4", "--shard: 'JOB_COMPLETION_INDEX=4 of 4': the shard index must be 0 to 3")]
    [InlineData("--shards x", null, null, "--shards")]
    // The rest of the refusals (-1/4, --shards without an index, disagreeing counts...) are ShardTests' unit tests; these go through the command line.
    public async Task Bad_shard_values_are_refused_with_exit_2_and_nothing_is_written(string flags, string? variable, string? value, string expected)
    {
        var output = _dir.File("bad.jsonl");
        File.WriteAllText(output, "precious\n");
        var before = Directory.GetFiles(_dir.Path).Order().ToList();
        var environment = new Dictionary<string, string?>();
        if (variable is not null) environment[variable] = value;
        var run = await CodexSharpProcess.RunAsync(Evaluate(output, flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)), environment: environment);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
        Assert.Equal(before, Directory.GetFiles(_dir.Path).Order().ToList());
        Assert.Equal("precious\n", File.ReadAllText(output));
    }

    [Fact]
    public async Task Merge_refuses_a_missing_duplicate_incomplete_foreign_or_cut_shard_and_an_output_among_its_inputs()
    {
        var output = _dir.File("r.jsonl");
        var shards = await ShardsAsync(output, 3);
        var merged = _dir.File("merged.jsonl");
        File.WriteAllText(merged, "precious\n");

        async Task Refused(string expected, params string[] args)
        {
            var run = await CodexSharpProcess.RunAsync(["merge", .. args, "--no-report"]);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains(expected, run.StandardError);
            Assert.DoesNotContain("   at ", run.All);
            Assert.Equal("precious\n", File.ReadAllText(merged));
        }

        await Refused("shard 2/3 is missing (expected " + OutputPaths.Shard(output, 2, 3), shards[0], shards[1], "-o", merged);
        await Refused($"shard 1/3 is given twice: {shards[1]} and {shards[1]}", shards[0], shards[1], shards[1], shards[2], "-o", merged);
        await Refused($"{shards[0]}: is the shard output {shards[0]}", shards[0], shards[1], shards[2], "-o", shards[0]);

        // A shard of a run with other settings.
        var other = _dir.File("other.jsonl");
        var foreign = await CodexSharpProcess.RunAsync(Evaluate(other, "--shard", "2/3", "--timeout", "2"));
        Assert.True(foreign.ExitCode == 0, foreign.ToString());
        await Refused($"{OutputPaths.Shard(other, 2, 3)}: was made from other inputs or settings than {shards[0]} (settings:", shards[0], shards[1], OutputPaths.Shard(other, 2, 3), "-o", merged);

        // A shard whose run was interrupted.
        var record = OutputPaths.Config(shards[1]);
        var text = File.ReadAllText(record);
        File.WriteAllText(record, text.Replace("\"completed\"", "\"interrupted\""));
        await Refused($"{shards[1]}: shard 1/3 is not complete (its record says interrupted); run that shard again", shards[0], shards[1], shards[2], "-o", merged);
        File.WriteAllText(record, text);

        // A shard file cut mid-line.
        var bytes = File.ReadAllBytes(shards[2]);
        File.WriteAllBytes(shards[2], bytes[..^5]);
        await Refused($"{shards[2]}: its last line is cut short", shards[0], shards[1], shards[2], "-o", merged);
        // Cut at a line end: whole lines, but fewer than the record promises.
        File.WriteAllBytes(shards[2], bytes[..(Array.LastIndexOf(bytes, (byte)'\n', bytes.Length - 2) + 1)]);
        await Refused($"{shards[2]}: holds fewer rows than its record says shard 2/3 has", shards[0], shards[1], shards[2], "-o", merged);

        // Running the shard again repairs it, and the merge goes through.
        var again = await CodexSharpProcess.RunAsync(Evaluate(output, "--shard", "2/3"));
        Assert.True(again.ExitCode == 0, again.ToString());
        var merge = await CodexSharpProcess.RunAsync(["merge", .. shards, "-o", merged, "--no-report"]);
        Assert.True(merge.ExitCode == 0, merge.ToString());
        Assert.Equal(41, File.ReadAllLines(merged).Length);
    }
}
