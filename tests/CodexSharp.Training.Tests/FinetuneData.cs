using System.Text.Json.Nodes;
using CodexSharp.Testing;

namespace CodexSharp.Training.Tests;

/// <summary>
/// Crafted fine-tuning problems: four behaviours on a list (sum, reverse, sort, count), each with its own docstring
/// and a body of its own shape, written for several function and argument names.
/// </summary>
internal static class FinetuneData
{
    public static readonly (string Docstring, string Body)[] Behaviours =
    [
        ("Sum the numbers.", "    return sum({0})\n"),
        ("Reverse the items.", "    result = list({0})\n    return result[::-1]\n"),
        ("Sort the items.", "    result = list({0})\n    result.sort()\n    return result\n"),
        ("Count the items.", "    count = 0\n    for item in {0}:\n        count += 1\n    return count\n"),
    ];

    private static readonly string[] Arguments = ["xs", "items", "values", "data"];
    private static readonly string[] Names = ["f", "g", "h", "calc"];

    /// <summary>Every behaviour × argument × name (64 problems) as HumanEval rows.</summary>
    public static string Write(string path) => WriteProblems(path, "Crafted", Behaviours, Arguments, Names);

    /// <summary>One HumanEval row per behaviour × argument × name, task ids PREFIX/0, PREFIX/1, ... (a test that always passes).</summary>
    public static string WriteProblems(string path, string prefix, IEnumerable<(string Docstring, string Body)> behaviours, string[] arguments, string[] names)
    {
        var rows = new List<JsonObject>();
        foreach (var (docstring, body) in behaviours)
        {
            foreach (var argument in arguments)
            {
                foreach (var name in names)
                {
                    rows.Add(new JsonObject
                    {
                        ["task_id"] = $"{prefix}/{rows.Count}", ["prompt"] = $"def {name}({argument}):\n    \"\"\"{docstring}\"\"\"\n",
                        ["canonical_solution"] = string.Format(body, argument), ["test"] = "def check(candidate):\n    pass\n", ["entry_point"] = name,
                    });
                }
            }
        }
        return Fixtures.WriteJsonl(path, rows);
    }
}

/// <summary>
/// Crafted Codex-D problems: a loop that adds up its argument's values and one that counts its items. The bodies
/// have the same shape and differ in their words (total/value against count/item, + value against + 1); each has its
/// own docstring. Written for six function names and six argument names (72 problems).
/// </summary>
internal static class TotalOrCount
{
    public static readonly (string Docstring, string Body)[] Behaviours =
    [
        ("Add up the values.", "    total = 0\n    for value in {0}:\n        total = total + value\n    return total\n"),
        ("Count the items.", "    count = 0\n    for item in {0}:\n        count = count + 1\n    return count\n"),
    ];

    private static readonly string[] Arguments = ["xs", "items", "values", "data", "nums", "seq"];
    private static readonly string[] Names = ["f", "g", "h", "calc", "run", "go"];

    public static string Write(string path) => FinetuneData.WriteProblems(path, "Loop", Behaviours, Arguments, Names);
}


/// <summary>A tiny random model (<c>model init --preset tiny</c>) shared by a test class.</summary>
public sealed class TinyInit : IAsyncLifetime
{
    private readonly string root = System.IO.Directory.CreateTempSubdirectory("codexsharp-finetune-").FullName;

    public string Directory => Path.Combine(root, "tiny");

    public async Task InitializeAsync()
    {
        var run = await CodexSharpProcess.RunAsync("model", "init", "--preset", "tiny", "--out", Directory, "--seed", "3");
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A copy of the model whose config.json says it was fine-tuned for <paramref name="task"/>.</summary>
    public string CopyWithTask(string destination, string task)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in System.IO.Directory.GetFiles(Directory)) File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(destination, "config.json")))!.AsObject();
        config["task"] = task;
        File.WriteAllText(Path.Combine(destination, "config.json"), config.ToJsonString());
        return destination;
    }
}
