using System.Text.Json.Nodes;

namespace CodexSharp.Generation.Tests.Fixtures;

/// <summary>Checks on a samples file: how many samples each task has, and that no (task, index) repeats.</summary>
public static class SamplesFileAssert
{
    public static List<JsonObject> Rows(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();

    /// <summary>Every task has exactly indices 0..n-1, once each, and nothing else is in the file.</summary>
    public static void ExactlyNPerTask(string path, IEnumerable<string> taskIds, int n)
    {
        var rows = Rows(path);
        var keys = rows.Select(r => (Task: r["task_id"]!.GetValue<string>(), Index: r["sample_index"]!.GetValue<int>())).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        var ids = taskIds.ToList();
        Assert.Equal(ids.Count * n, keys.Count);
        foreach (var id in ids)
            Assert.Equal(Enumerable.Range(0, n), keys.Where(k => k.Task == id).Select(k => k.Index).Order());
    }

    /// <summary>No task has more than n samples and no (task, index) repeats.</summary>
    public static void AtMostNPerTaskNoDuplicates(string path, int n)
    {
        var keys = Rows(path).Select(r => (Task: r["task_id"]!.GetValue<string>(), Index: r["sample_index"]!.GetValue<int>())).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys.GroupBy(k => k.Task), g => Assert.True(g.Count() <= n, $"{g.Key} has {g.Count()} samples"));
    }
}
