using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;

namespace CodexSharp.Reporting.Loading;

/// <summary>One evaluated sample: its verdict, text, and the scores a ranking may use.</summary>
public sealed record ResultSample(
    string TaskId, int Index, string Completion, bool Passed, string Result,
    double? MeanLogprob, double? SumLogprob, double? BacktranslationLogprob);

/// <summary>
/// A results file with everything that says how it was made: its summary and record beside it
/// (<c>NAME.summary.json</c>, <c>NAME.config.json</c>), the samples' generation record (the config beside the
/// samples file the evaluation record names, which holds the model and temperature), and the problems.
/// </summary>
public sealed record EvaluatedRun
{
    public required string ResultsPath { get; init; }

    /// <summary>A short name for the page: the results file's name without <c>_results.jsonl</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Samples that were run, in file order (rows with an unknown task id are left out).</summary>
    public required IReadOnlyList<ResultSample> Samples { get; init; }

    public JsonObject? Summary { get; init; }
    public JsonObject? EvaluationRecord { get; init; }
    public JsonObject? GenerationRecord { get; init; }

    /// <summary>The problems, when the file the record names (or the one given) could be read.</summary>
    public ProblemSet? Problems { get; init; }

    /// <summary>The benchmark the run was evaluated on (the summary names it), which reads its problems.</summary>
    public required Benchmark Benchmark { get; init; }

    /// <summary>The model the samples came from, as the generation record names it.</summary>
    public string? Model => GenerationRecord?["model_spec"]?.GetValue<string>() ?? EvaluationRecord?["config"]?["run_info"]?["model"]?.GetValue<string>();

    public double? Temperature => GenerationRecord?["temperature"] is JsonValue t && t.TryGetValue<double>(out var value) ? value : null;

    /// <summary>Reads a results file and whatever describes it; what is missing is reported through <paramref name="warn"/>.</summary>
    /// <exception cref="UserInputException">The file is missing, is not a results file, or holds no evaluated sample.</exception>
    public static EvaluatedRun Load(string resultsPath, string? problemsPath, Action<string> warn)
    {
        resultsPath = Path.GetFullPath(resultsPath);
        if (!File.Exists(resultsPath)) throw new UserInputException($"{resultsPath}: no such results file.");
        var samples = ReadSamples(resultsPath);
        var summary = ReadJson(OutputPaths.Summary(resultsPath), warn);
        if (summary is null)
            warn($"{resultsPath}: no summary beside it ({OutputPaths.Summary(resultsPath)}); pass@k is computed from the results rows, and how the run was made is unknown.");
        var record = ReadJson(OutputPaths.Config(resultsPath), warn);
        var samplesPath = record?["samples"]?["path"]?.GetValue<string>();
        var generation = samplesPath is null ? null : ReadJson(OutputPaths.Config(samplesPath), warn);
        var benchmark = BenchmarkOf(summary, samples);
        var problems = LoadProblems(resultsPath, benchmark, problemsPath ?? record?["problems"]?["path"]?.GetValue<string>(), record?["problems"]?["sha256"]?.GetValue<string>(), problemsPath is not null, warn);
        return new EvaluatedRun
        {
            ResultsPath = resultsPath,
            Name = NameOf(resultsPath),
            Samples = samples,
            Summary = summary,
            EvaluationRecord = record,
            GenerationRecord = generation,
            Problems = problems,
            Benchmark = benchmark,
        };
    }

    private static List<ResultSample> ReadSamples(string path)
    {
        var samples = new List<ResultSample>();
        var notRun = 0;
        foreach (var row in JsonlFile.Read(path))
        {
            var taskId = row.RequireString(path, "task_id");
            var result = row.RequireString(path, "result");
            if (row.Object["passed"] is not JsonValue passed || passed.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                throw UserInputException.At(path, row.Line, "passed", "missing or not true/false; is this a results file written by evaluate?");
            if (result.StartsWith("not run", StringComparison.Ordinal))
            {
                notRun++;
                continue;
            }
            var completion = row.Object["completion"] is JsonValue c && c.TryGetValue<string>(out var text) ? text : "";
            var index = row.Object["sample_index"] is JsonValue i && i.TryGetValue<int>(out var idx) ? idx : samples.Count;
            samples.Add(new ResultSample(taskId, index, completion, passed.GetValue<bool>(), result,
                Score(row.Object, "mean_logprob"), Score(row.Object, "sum_logprob"), Score(row.Object, "backtranslation_logprob")));
        }
        if (samples.Count == 0)
            throw new UserInputException(notRun > 0 ? $"{path}: none of its {notRun} rows was run (unknown task ids); nothing to report." : $"{path}: holds no results; nothing to report.");
        return samples;
    }

    private static double? Score(JsonObject row, string field) =>
        row[field] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d : null;

    private static JsonObject? ReadJson(string path, Action<string> warn)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            warn($"{path}: unreadable ({e.Message}); ignored.");
            return null;
        }
    }

    /// <summary>
    /// The benchmark the summary names (evaluate writes it under config.benchmark); for a run without one, the
    /// benchmark its task ids look like, else HumanEval.
    /// </summary>
    private static Benchmark BenchmarkOf(JsonObject? summary, IReadOnlyList<ResultSample> samples)
    {
        if (summary?["config"]?["benchmark"] is JsonValue v && v.TryGetValue<string>(out var name) && BenchmarkCatalog.TryFind(name) is { } named) return named;
        return BenchmarkCatalog.Recognise(samples.Select(s => s.TaskId).Distinct(StringComparer.Ordinal).ToList()).FirstOrDefault() ?? BenchmarkCatalog.Default;
    }

    /// <summary>The run's problems, read by its benchmark (a file, or a folder for APPS); null with a warning when they cannot be read.</summary>
    private static ProblemSet? LoadProblems(string resultsPath, Benchmark benchmark, string? path, string? sha256, bool given, Action<string> warn)
    {
        if (path is null)
        {
            warn($"{resultsPath}: no record names its problems file (give --problems); prompts and BLEU are left out.");
            return null;
        }
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            if (given) throw new UserInputException($"--problems: {path}: no such file.");
            warn($"{resultsPath}: its problems file {path} is gone (give --problems); prompts and BLEU are left out.");
            return null;
        }
        ProblemSet problems;
        try
        {
            problems = benchmark.Load(path);
        }
        catch (UserInputException e) when (!given)
        {
            warn($"{resultsPath}: its problems {path} cannot be read as {benchmark.Name} problems ({e.Message}); prompts and BLEU are left out.");
            return null;
        }
        if (sha256 is not null && !given && problems.Sha256 != sha256)
            warn($"{path} changed since {resultsPath} was evaluated (SHA-256 differs); its prompts and solutions may not be the ones evaluated.");
        return problems;
    }

    private static string NameOf(string resultsPath)
    {
        var name = Path.GetFileName(resultsPath);
        for (var trimmed = true; trimmed;)
        {
            trimmed = false;
            foreach (var suffix in new[] { ".gz", ".jsonl", "_results" })
            {
                if (!name.EndsWith(suffix, StringComparison.Ordinal) || name.Length == suffix.Length) continue;
                name = name[..^suffix.Length];
                trimmed = true;
            }
        }
        return name;
    }
}
