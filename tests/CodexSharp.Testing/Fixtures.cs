using System.Text.Json.Nodes;

namespace CodexSharp.Testing;

/// <summary>Small problems and samples files written by tests.</summary>
public static class Fixtures
{
    /// <summary>A problem row whose tests check that <c>add(a, b)</c> adds.</summary>
    public static JsonObject AddProblem(string taskId = "Toy/0") => new()
    {
        ["task_id"] = taskId,
        ["prompt"] = "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n",
        ["canonical_solution"] = "    return a + b\n",
        ["test"] = "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n",
        ["entry_point"] = "add",
    };

    /// <summary>Writes rows as JSON Lines.</summary>
    public static string WriteJsonl(string path, IEnumerable<JsonObject> rows)
    {
        File.WriteAllLines(path, rows.Select(r => r.ToJsonString()));
        return path;
    }

    public static JsonObject Sample(string taskId, string completion) => new() { ["task_id"] = taskId, ["completion"] = completion };

    /// <summary>HumanEval's 164 problems (<see cref="TestPaths.HumanEval"/>) as (task id, canonical solution).</summary>
    public static List<(string TaskId, string Canonical)> HumanEvalSolutions()
    {
        using var input = new System.IO.Compression.GZipStream(File.OpenRead(TestPaths.HumanEval), System.IO.Compression.CompressionMode.Decompress);
        return new StreamReader(input).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)
            .Select(p => (p["task_id"]!.GetValue<string>(), p["canonical_solution"]!.GetValue<string>())).ToList();
    }
}
