using System.IO.Compression;
using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>
/// Parity with openai/human-eval on real model output, small enough for every test run: the first four
/// CodeGen-16B samples of each of the 164 HumanEval tasks (656 programs: passes, wrong answers, exceptions of
/// every kind and two infinite loops). The golden file holds each sample's verdict and result text from a
/// run whose verdicts agreed with human-eval's on all 16,400 samples; with PYTHONHASHSEED fixed, the texts
/// repeat exactly. With the tests judged apart (the default) the verdicts are the same; only texts that quote the
/// whole program (a syntax error's line number) may differ. The full 16,400-sample comparison is
/// <c>bench/execution/run.sh samples</c>.
/// </summary>
public sealed class CodeGenGoldenSubsetTests : IDisposable
{
    private const int PerTask = 4;
    private static readonly string Golden = Path.Combine(TestPaths.RepoRoot, "tests", "CodexSharp.Cli.Tests", "Golden", "first-four-per-task-verdicts.jsonl");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task First_four_samples_of_each_task_get_human_evals_verdicts_and_result_texts(bool inSampleProcess)
    {
        var samples = _dir.File("subset.jsonl");
        File.WriteAllLines(samples, FirstPerTask(TestPaths.CodeGen16BSamples, PerTask));
        var results = _dir.File("subset_results.jsonl");
        // Timeouts are re-run alone, so that a machine busy with other work cannot turn a slow pass into a timeout.
        string[] mode = inSampleProcess ? ["--tests-in-sample-process"] : [];
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", TestPaths.HumanEval, "-o", results,
            "--rerun-timeouts", "true", "--k", "1", .. mode], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.ToString());

        var expected = JsonlFile.Read(Golden).Select(r => r.Object).ToList();
        var actual = JsonlFile.Read(results).Select(r => r.Object).ToList();
        Assert.Equal(164 * PerTask, expected.Count);
        Assert.Equal(expected.Count, actual.Count);
        var differences = expected.Zip(actual)
            .Where(pair => Key(pair.First) != Key(pair.Second)
                || pair.First["passed"]!.GetValue<bool>() != pair.Second["passed"]!.GetValue<bool>()
                || (inSampleProcess && pair.First["result"]!.GetValue<string>() != pair.Second["result"]!.GetValue<string>()))
            .Select(pair => $"{Key(pair.First)}: expected '{pair.First["result"]}', got {Key(pair.Second)} '{pair.Second["result"]}'")
            .ToList();
        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    private static string Key(JsonObject row) => $"{row["task_id"]}#{row["sample_idx"]}";

    /// <summary>The first <paramref name="perTask"/> rows of each task, in file order, as JSON lines.</summary>
    private static IEnumerable<string> FirstPerTask(string gzipPath, int perTask)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
        {
            var task = JsonNode.Parse(line)!["task_id"]!.GetValue<string>();
            var count = seen.GetValueOrDefault(task);
            if (count >= perTask) continue;
            seen[task] = count + 1;
            yield return line;
        }
    }
}
