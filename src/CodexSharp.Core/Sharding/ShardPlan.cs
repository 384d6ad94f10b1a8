using System.Security.Cryptography;
using System.Text;

namespace CodexSharp.Core.Sharding;

/// <summary>
/// How work is split into shards: whole tasks, balanced by expected cost. Tasks are taken from the most costly
/// down (ties in their order of appearance) and each goes to the shard with the least cost so far (ties: the lowest
/// index), the longest-processing-time rule; the split depends only on the tasks, their costs and the number of
/// shards, so every array task computes the same plan without talking to the others.
/// </summary>
public sealed class ShardPlan
{
    private ShardPlan(IReadOnlyList<string> keys, int[] shardOf, int count)
    {
        Keys = keys;
        ShardOf = shardOf;
        Count = count;
        Fingerprint = FingerprintOf(keys, shardOf, count);
    }

    /// <summary>The tasks, in their order of appearance.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The shard of each task (parallel to <see cref="Keys"/>).</summary>
    public IReadOnlyList<int> ShardOf { get; }

    public int Count { get; }

    /// <summary>SHA-256 of the whole plan (every task and its shard): shards of one run record the same fingerprint.</summary>
    public string Fingerprint { get; }

    /// <summary>Splits <paramref name="keys"/> (distinct, in order) with <paramref name="costs"/> into <paramref name="count"/> shards.</summary>
    /// <exception cref="ConfigException">There are fewer tasks than shards (field <c>shard</c>).</exception>
    public static ShardPlan Balance(IReadOnlyList<string> keys, IReadOnlyList<double> costs, int count)
    {
        if (count > keys.Count)
            throw new ConfigException("shard", $"{count} shards, but the work has only {keys.Count} task(s) to split (whole tasks per shard); use at most {keys.Count} shards.");
        var order = Enumerable.Range(0, keys.Count).OrderByDescending(i => costs[i]).ThenBy(i => i).ToArray();
        var load = new double[count];
        var shardOf = new int[keys.Count];
        var heap = new PriorityQueue<int, (double Load, int Shard)>();
        for (var s = 0; s < count; s++) heap.Enqueue(s, (0, s));
        foreach (var i in order)
        {
            var shard = heap.Dequeue();
            shardOf[i] = shard;
            load[shard] += costs[i];
            heap.Enqueue(shard, (load[shard], shard));
        }
        return new ShardPlan(keys, shardOf, count);
    }

    /// <summary>
    /// The plan for a list of rows that each belong to a task: whole tasks, each costing its row count, in the order
    /// the tasks first appear. <paramref name="rowShard"/> gets the shard of every row.
    /// </summary>
    public static ShardPlan ForRows(IReadOnlyList<string> taskOfRow, int count, out int[] rowShard)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>();
        var costs = new List<double>();
        var group = new int[taskOfRow.Count];
        for (var r = 0; r < taskOfRow.Count; r++)
        {
            if (!position.TryGetValue(taskOfRow[r], out var g))
            {
                position[taskOfRow[r]] = g = keys.Count;
                keys.Add(taskOfRow[r]);
                costs.Add(0);
            }
            costs[g]++;
            group[r] = g;
        }
        var plan = Balance(keys, costs, count);
        rowShard = new int[taskOfRow.Count];
        for (var r = 0; r < group.Length; r++) rowShard[r] = plan.ShardOf[group[r]];
        return plan;
    }

    /// <summary>The positions (in <see cref="Keys"/>) of the tasks of <paramref name="shard"/>, ascending.</summary>
    public IReadOnlyList<int> PositionsOf(int shard) => Enumerable.Range(0, Keys.Count).Where(i => ShardOf[i] == shard).ToList();

    /// <summary>Sorted indices as half-open [start, end) runs: 0,1,2,5 → [0,3],[5,6].</summary>
    public static List<int[]> Ranges(IEnumerable<int> sortedIndices)
    {
        var ranges = new List<int[]>();
        foreach (var i in sortedIndices)
        {
            if (ranges.Count > 0 && ranges[^1][1] == i) ranges[^1][1] = i + 1;
            else ranges.Add([i, i + 1]);
        }
        return ranges;
    }

    private static string FingerprintOf(IReadOnlyList<string> keys, int[] shardOf, int count)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{count}\n"));
        for (var i = 0; i < keys.Count; i++) hash.AppendData(Encoding.UTF8.GetBytes($"{keys[i]}\t{shardOf[i]}\n"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
