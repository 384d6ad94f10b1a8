using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Testing;

namespace CodexSharp.Reporting.Tests;

/// <summary>One evaluated sample as a test writes it.</summary>
public sealed record Verdict(string TaskId, string Completion, bool Passed, string Result = "", double? MeanLogprob = null, double? SumLogprob = null);

/// <summary>
/// Writes an evaluated run the way evaluate and generate leave it: problems, samples with their generation record
/// (model, temperature), results with their summary and evaluation record.
/// </summary>
public static class RunFiles
{
    public static string Problems(string folder, int count, string name = "problems.jsonl") =>
        Fixtures.WriteJsonl(Path.Combine(folder, name), Enumerable.Range(0, count).Select(i => Fixtures.AddProblem($"Toy/{i}")));

    public static string Write(string folder, string name, string problemsPath, IEnumerable<Verdict> verdicts,
        double? temperature = null, string? model = null, bool summary = true)
    {
        var samplesPath = Path.Combine(folder, name + ".jsonl");
        var rows = verdicts.Select((v, i) =>
        {
            var row = new JsonObject { ["task_id"] = v.TaskId, ["completion"] = v.Completion };
            if (v.MeanLogprob is { } m) row["mean_logprob"] = m;
            if (v.SumLogprob is { } s) row["sum_logprob"] = s;
            return (Row: row, Verdict: v);
        }).ToList();
        Fixtures.WriteJsonl(samplesPath, rows.Select(r => r.Row));
        if (temperature is not null || model is not null)
            File.WriteAllText(OutputPaths.Config(samplesPath), new JsonObject { ["model_spec"] = model, ["temperature"] = temperature }.ToJsonString());
        var resultsPath = samplesPath + "_results.jsonl";
        Fixtures.WriteJsonl(resultsPath, rows.Select(r =>
        {
            var row = (JsonObject)r.Row.DeepClone();
            row["result"] = r.Verdict.Passed ? "passed" : r.Verdict.Result.Length > 0 ? r.Verdict.Result : "failed: ";
            row["passed"] = r.Verdict.Passed;
            return row;
        }));
        if (summary) File.WriteAllText(OutputPaths.Summary(resultsPath), "{}");
        var record = new JsonObject
        {
            ["samples"] = new JsonObject { ["path"] = samplesPath },
            ["problems"] = new JsonObject { ["path"] = problemsPath, ["sha256"] = ProblemSet.HashFile(problemsPath) },
        };
        File.WriteAllText(OutputPaths.Config(resultsPath), record.ToJsonString());
        return resultsPath;
    }

    /// <summary>n samples for each of the problems Toy/0..: problem i has i % (n + 1) passing samples, scores that favour them a little.</summary>
    public static IEnumerable<Verdict> Graded(int problems, int n, int seed = 1)
    {
        var random = new Random(seed);
        for (var p = 0; p < problems; p++)
            for (var s = 0; s < n; s++)
            {
                var passed = s < p % (n + 1);
                var score = Math.Round(-random.NextDouble() - (passed ? 0.0 : 0.3), 1);
                yield return new Verdict($"Toy/{p}", passed ? "    return a + b\n" : "    return a - b\n", passed,
                    passed ? "" : s % 3 == 0 ? "failed: name 'c' is not defined" : "failed: ", score, score * 10);
            }
    }
}
