using System.IO.Compression;
using System.Text.Json.Nodes;
using CodexSharp.Testing;

namespace CodexSharp.Gguf.Tests;

/// <summary>Real Python: HumanEval's prompts with their canonical solutions, from the shared data sets.</summary>
internal static class RealCode
{
    private static readonly Lazy<IReadOnlyList<(string TaskId, string Prompt, string Solution)>> Problems = new(Read);

    public static IReadOnlyList<(string TaskId, string Prompt, string Solution)> HumanEval => Problems.Value;

    private static IReadOnlyList<(string, string, string)> Read()
    {
        using var file = File.OpenRead(TestPaths.HumanEval);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var rows = new List<(string, string, string)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var row = JsonNode.Parse(line)!;
            rows.Add((row["task_id"]!.GetValue<string>(), row["prompt"]!.GetValue<string>(), row["canonical_solution"]!.GetValue<string>()));
        }
        return rows;
    }
}
