using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// What one problem's reference solution took here, in the sandbox, on all its base and plus inputs, and the
/// sums of EvalPlus's per-input limits (max(1 s, 4 × its time on each input)). Only the outer limit of a
/// sample's process comes from these; the limits that decide verdicts are measured again inside each
/// sample's own process.
/// </summary>
public sealed record ReferenceTime(double BaseSeconds, double PlusSeconds, double BaseLimitsSeconds, double PlusLimitsSeconds)
{
    /// <summary>
    /// The time a sample may take on all of one phase's inputs: EvalPlus's min(60 s, Σ per-input limits) + 1 s,
    /// with the 60 s raised to twice the reference's own time when that is longer (as the harness does).
    /// </summary>
    public static double PhaseBudget(double referenceSeconds, double limitsSeconds) => Math.Min(Math.Max(60, 2 * referenceSeconds), limitsSeconds) + 1;

    /// <summary>
    /// The outer wall-clock limit of a sample's process: the reference's own runs twice over (it runs again in
    /// that process, perhaps on a busier machine), both phases' budgets, and 5 s to start and read the inputs.
    /// Only a sample that defeats the harness's own timers (by catching its alarm, or by blocking in C code)
    /// meets it.
    /// </summary>
    [JsonIgnore]
    public TimeSpan ProcessLimit => TimeSpan.FromSeconds(2 * (BaseSeconds + PlusSeconds) + PhaseBudget(BaseSeconds, BaseLimitsSeconds) + PhaseBudget(PlusSeconds, PlusLimitsSeconds) + 5);

    /// <summary>The same for the base inputs alone.</summary>
    [JsonIgnore]
    public TimeSpan BaseOnlyLimit => TimeSpan.FromSeconds(2 * BaseSeconds + PhaseBudget(BaseSeconds, BaseLimitsSeconds) + 5);
}

/// <summary>
/// Times the reference solutions of a run's problems in the sandbox, once per problems file: the results are
/// kept in the run's cache directory under the file's SHA-256 (<c>evalplus/SHA256.reference-times.json</c>),
/// written as each problem finishes, so a later run (or an interrupted one) only times what is missing.
/// </summary>
public static class EvalPlusReferenceTimes
{
    /// <summary>How long one problem's reference may take on all its inputs.</summary>
    public static readonly TimeSpan MeasureLimit = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The cache file of a problems file.</summary>
    public static string CachePath(string cacheDirectory, ProblemSet problems) =>
        Path.Combine(cacheDirectory, "evalplus", problems.Sha256 + ".reference-times.json");

    /// <summary>Times of the run's tasks: from the cache, the missing ones measured now. A task whose reference fails here is left out, with a warning.</summary>
    public static async Task<IReadOnlyDictionary<string, ReferenceTime>> MeasureAsync(BenchmarkRun run, EvalPlusFlavour flavour, CancellationToken cancellationToken)
    {
        var path = CachePath(run.CacheDirectory, run.Problems);
        var times = Read(path);
        var missing = run.Problems.Problems.Where(p => run.TaskIds.Contains(p.TaskId) && !times.ContainsKey(p.TaskId)).ToList();
        if (missing.Count == 0) return times;
        var judge = new EvalPlusJudge(run.Runner, flavour, times);
        var gate = new Lock();
        var done = 0;
        run.Progress?.Report(new EvaluationProgress("timing reference solutions", 0, missing.Count, 0));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = run.Workers, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(missing, parallel, async (problem, token) =>
        {
            var (result, report) = await judge.RunAsync(problem, problem.CanonicalSolution, EvalPlusMode.Reference, MeasureLimit, token);
            lock (gate)
            {
                if (report?["phase"]?.GetValue<string>() == "reference" && report["base_s"] is not null)
                {
                    times[problem.TaskId] = new ReferenceTime(Seconds(report, "base_s"), Seconds(report, "plus_s"), Seconds(report, "base_limits_s"), Seconds(report, "plus_limits_s"));
                    Write(path, times);
                }
                else
                {
                    run.Warn($"{problem.TaskId}: its reference solution does not run on its inputs here ({Describe(result, report)}); its samples get the fixed limit of --timeout.");
                }
                run.Progress?.Report(new EvaluationProgress("timing reference solutions", ++done, missing.Count, 0));
            }
        });
        return times;
    }

    private static double Seconds(System.Text.Json.Nodes.JsonObject report, string field) => Math.Round(report[field]!.GetValue<double>(), 4);

    private static string Describe(ExecutionResult result, System.Text.Json.Nodes.JsonObject? report) =>
        report is null ? result.Result : $"{report["phase"]}_input[{report["input"]}]: {report["detail"]}";

    private static Dictionary<string, ReferenceTime> Read(string path)
    {
        if (!File.Exists(path)) return new Dictionary<string, ReferenceTime>(StringComparer.Ordinal);
        try
        {
            var read = JsonSerializer.Deserialize<Dictionary<string, ReferenceTime>>(File.ReadAllText(path, Encoding.UTF8), Json);
            return new Dictionary<string, ReferenceTime>(read ?? [], StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new Dictionary<string, ReferenceTime>(StringComparer.Ordinal); // a damaged cache is measured again
        }
    }

    private static void Write(string path, Dictionary<string, ReferenceTime> times)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var ordered = times.OrderBy(t => t.Key, StringComparer.Ordinal).ToDictionary(t => t.Key, t => t.Value);
        OutputFiles.Guard(path, () => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(ordered, Json) + "\n"));
    }
}
