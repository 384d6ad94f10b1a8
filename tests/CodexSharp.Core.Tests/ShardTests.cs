using CodexSharp.Core.Io;
using CodexSharp.Core.Sharding;

namespace CodexSharp.Core.Tests;

/// <summary>The shard logic alone: parsing I/N, choosing the index from flags and scheduler variables, the balanced plan, file names.</summary>
public sealed class ShardTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("0/4", 0, 4)]
    [InlineData("3/4", 3, 4)]
    [InlineData("0/1", 0, 1)]
    [InlineData(" 2 / 5 ", 2, 5)]
    public void Parses_i_of_n(string text, int index, int count) => Assert.Equal(new ShardSpec(index, count), ShardSpec.Parse(text));

    [Theory]
    [InlineData("5/4", "0 to 3")]
    [InlineData("4/4", "0 to 3")]
    [InlineData("-1/4", "0 to 3")]
    [InlineData("0/0", "1 to")]
    [InlineData("1/-2", "1 to")]
    [InlineData("a/4", "whole numbers")]
    [InlineData("1/x", "whole numbers")]
    [InlineData("1.5/4", "whole numbers")]
    [InlineData("2", "whole numbers")]
    [InlineData("1/2/3", "whole numbers")]
    [InlineData("", "whole numbers")]
    public void Refuses_what_is_not_a_shard(string text, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ShardSpec.Parse(text));
        Assert.Equal("shard", e.Field);
        Assert.Contains(expected, e.Reason);
    }

    [Fact]
    public void The_flag_wins_over_the_environment_and_says_so()
    {
        var choice = ShardSelection.Resolve("1/3", null, Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "4")))!;
        Assert.Equal(new ShardSpec(1, 3), choice.Spec);
        Assert.Equal("shard 1/3 (from --shard)", choice.Describe());
    }

    [Fact]
    public void A_slurm_array_task_takes_its_index_and_the_arrays_count_or_shards()
    {
        var array = ShardSelection.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "4")))!;
        Assert.Equal(new ShardSpec(2, 4), array.Spec);
        Assert.Contains("SLURM_ARRAY_TASK_ID=2", array.Source);
        // One task resubmitted alone (--array=2) is an array of one: --shards keeps it shard 2 of 4.
        var resubmitted = ShardSelection.Resolve(null, 4, Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "1")))!;
        Assert.Equal(new ShardSpec(2, 4), resubmitted.Spec);
        Assert.Contains("--shards 4", resubmitted.Source);
    }

    [Fact]
    public void A_kubernetes_indexed_job_takes_its_completion_index_with_shards()
    {
        var choice = ShardSelection.Resolve(null, 8, Env(("JOB_COMPLETION_INDEX", "7")))!;
        Assert.Equal(new ShardSpec(7, 8), choice.Spec);
        Assert.Equal("JOB_COMPLETION_INDEX=7 and --shards 8", choice.Source);
    }

    [Fact]
    public void No_flag_and_no_scheduler_is_the_whole_run() => Assert.Null(ShardSelection.Resolve(null, null, Env()));

    [Theory]
    [InlineData(null, null, "SLURM_ARRAY_TASK_ID", "3", "shards", "not the number of shards")]
    [InlineData(null, null, "JOB_COMPLETION_INDEX", "3", "shards", "pass --shards N")]
    [InlineData(null, 4, "JOB_COMPLETION_INDEX", "4", "shard", "0 to 3")]
    [InlineData(null, 4, "JOB_COMPLETION_INDEX", "x", "shard", "not a whole number")]
    [InlineData(null, 4, "SLURM_ARRAY_TASK_ID", "-1", "shard", "0 to 3")]
    [InlineData(null, 4, "", "", "shards", "needs a shard index")]
    [InlineData(null, 0, "", "", "shards", "1 to")]
    [InlineData("1/4", 3, "", "", "shards", "disagrees")]
    public void Refuses_an_index_without_a_count_and_out_of_range_values(string? flag, int? shards, string variable, string value, string field, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ShardSelection.Resolve(flag, shards, Env((variable, value))));
        Assert.Equal(field, e.Field);
        Assert.Contains(expected, e.Reason);
    }

    [Fact]
    public void The_plan_is_deterministic_balanced_and_keeps_tasks_whole()
    {
        // 164 tasks of 10 rows each, listed task by task: four shards of 41 tasks.
        var rows = Enumerable.Range(0, 1640).Select(i => $"T/{i / 10}").ToList();
        var plan = ShardPlan.ForRows(rows, 4, out var rowShard);
        var again = ShardPlan.ForRows(rows, 4, out var rowShardAgain);
        Assert.Equal(rowShard, rowShardAgain);
        Assert.Equal(plan.Fingerprint, again.Fingerprint);
        Assert.All(Enumerable.Range(0, 4), s => Assert.Equal(410, rowShard.Count(r => r == s)));
        foreach (var task in rows.Distinct()) Assert.Single(Enumerable.Range(0, rows.Count).Where(i => rows[i] == task).Select(i => rowShard[i]).Distinct());
        Assert.NotEqual(plan.Fingerprint, ShardPlan.ForRows(rows, 5, out _).Fingerprint);
    }

    [Fact]
    public void Unequal_tasks_are_balanced_by_their_cost()
    {
        // Costs 9, 5, 4, 3, 3: longest first to the least loaded shard gives loads 12 and 12.
        var plan = ShardPlan.Balance(["a", "b", "c", "d", "e"], [9, 5, 4, 3, 3], 2);
        var loads = new double[2];
        double[] costs = [9, 5, 4, 3, 3];
        for (var i = 0; i < 5; i++) loads[plan.ShardOf[i]] += costs[i];
        Assert.Equal([12.0, 12.0], loads);
    }

    [Fact]
    public void More_shards_than_tasks_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => ShardPlan.Balance(["a", "b"], [1, 1], 3));
        Assert.Contains("only 2 task(s)", e.Reason);
    }

    [Fact]
    public void Ranges_compress_sorted_indices() =>
        Assert.Equal([[0, 3], [5, 6], [9, 11]], ShardPlan.Ranges([0, 1, 2, 5, 9, 10]));

    [Theory]
    [InlineData("runs/x_results.jsonl", "runs/x_results.shard-2-of-4.jsonl")]
    [InlineData("runs/x.jsonl.gz", "runs/x.shard-2-of-4.jsonl.gz")]
    [InlineData("runs/x.out", "runs/x.out.shard-2-of-4")]
    public void Shard_files_sit_beside_the_output(string output, string shard)
    {
        Assert.Equal(shard, OutputPaths.Shard(output, 2, 4));
        Assert.Equal(output, ShardInputs.Unsharded(shard));
    }
}
