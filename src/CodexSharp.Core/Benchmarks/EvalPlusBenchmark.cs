using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// EvalPlus's HumanEval+ and MBPP+ (Liu et al. 2023), judged as EvalPlus judges them: a completion is run on
/// each problem's base inputs (the original benchmark's tests) and, when those pass, on its plus inputs; an
/// output is right when it matches the reference solution's output on the same input (per-problem atol,
/// np.allclose with rtol 1e-7 for floats, EvalPlus's special oracles). The main verdict (<c>passed</c>,
/// pass@k "base+plus") needs both; <c>base_passed</c> and the "base" pass@k table are the base inputs alone.
/// The program judged is <c>prompt + completion</c>; see <see cref="EvalPlusJudge"/> for how it runs.
/// </summary>
public sealed partial class EvalPlusBenchmark : Benchmark
{
    /// <summary>The results-row field of the base verdict.</summary>
    public const string BasePassed = "base_passed";

    public static EvalPlusBenchmark HumanEvalPlus { get; } = new(EvalPlusFlavour.HumanEval);

    public static EvalPlusBenchmark MbppPlus { get; } = new(EvalPlusFlavour.Mbpp);

    private EvalPlusBenchmark(EvalPlusFlavour flavour) => Flavour = flavour;

    /// <summary>Which of EvalPlus's input conversions and special oracles apply.</summary>
    public EvalPlusFlavour Flavour { get; }

    public override string Name => Flavour == EvalPlusFlavour.HumanEval ? "humanevalplus" : "mbppplus";

    public override string Description => Flavour == EvalPlusFlavour.HumanEval
        ? "HumanEval+ v0.1.10 (EvalPlus): HumanEval's 164 problems, judged on base and plus inputs against the reference's outputs"
        : "MBPP+ v0.2.0 (EvalPlus): 378 sanitized MBPP problems, judged on base and plus inputs against the reference's outputs";

    public override string LayoutDescription =>
        "EvalPlus's JSONL(.gz): task_id, prompt, entry_point, canonical_solution, base_input, plus_input, atol (HumanEvalPlus.jsonl.gz, MbppPlus.jsonl.gz)";

    /// <summary>HumanEval+: the Codex paper's five; MBPP+: the bigcode harness's MBPP stops (no "\ndef").</summary>
    public override IReadOnlyList<string> StopSequences =>
        Flavour == EvalPlusFlavour.HumanEval ? Generation.StopSequences.Paper : MbppBenchmark.Full.StopSequences;

    public override string MainColumn => "base+plus";

    public override string TimeLimitRule =>
        "EvalPlus's, measured in each sample's process: per input max(1 s, 4 x reference time); per phase min(max(60 s, 2 x reference time), sum) + 1 s; "
        + "the process 2 x reference time + both phase budgets + 5 s (reference times cached per problems file)";

    public override bool LooksLikeItsTaskId(string taskId) =>
        (Flavour == EvalPlusFlavour.HumanEval ? HumanEvalTaskId() : MbppTaskId()).IsMatch(taskId);

    /// <summary>
    /// Reads EvalPlus's rows. <see cref="Problem.Test"/> holds the row as written (with Python's NaN and
    /// Infinity), which is what the sandboxed judge reads its inputs from.
    /// </summary>
    public override ProblemSet Load(string path)
    {
        var problems = new List<Problem>();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in PythonJsonLines.Read(path))
        {
            var taskId = Text(path, row, "task_id");
            if (seen.TryGetValue(taskId, out var first))
                throw UserInputException.At(path, row.Line, "task_id", $"'{taskId}' appears twice (first on line {first}).");
            seen[taskId] = row.Line;
            var prompt = Text(path, row, "prompt");
            var canonical = Text(path, row, "canonical_solution");
            var entryPoint = Text(path, row, "entry_point");
            Inputs(path, row, "base_input");
            Inputs(path, row, "plus_input");
            if (row.Object["atol"] is not JsonValue atol || atol.GetValueKind() != JsonValueKind.Number || atol.GetValue<double>() < 0)
                throw UserInputException.At(path, row.Line, "atol", "expected a number of at least 0 (the absolute tolerance of float outputs; 0 for exact).");
            if (Flavour == EvalPlusFlavour.Mbpp && !MbppTaskId().IsMatch(taskId))
                throw UserInputException.At(path, row.Line, "task_id", $"'{taskId}' is not an MBPP+ task id (Mbpp/N); is this {LayoutDescription}?");
            problems.Add(new Problem(taskId, prompt, canonical, row.Text, entryPoint, row.Object));
        }
        return ProblemSet.Create(path, problems, ProblemSet.HashFile(path));
    }

    public override async Task<IJudge> PrepareAsync(BenchmarkRun run, CancellationToken cancellationToken)
    {
        var times = await EvalPlusReferenceTimes.MeasureAsync(run, Flavour, cancellationToken);
        return new EvalPlusJudge(run.Runner, Flavour, times, run.TestsInSampleProcess);
    }

    public override IReadOnlyList<string> FlagNames => [BasePassed];

    /// <summary>The "base" pass@k beside the main "base+plus" one, from each sample's base verdict.</summary>
    public override IReadOnlyDictionary<string, PassAtKColumn> ExtraColumns(IReadOnlyList<TaskJudgements> tasks, IReadOnlyList<int> ks)
    {
        var counts = tasks.ToDictionary(t => t.TaskId, t => new TaskCounts(t.Samples.Count, t.Samples.Count(s => s.Flag(BasePassed)), null), StringComparer.Ordinal);
        var (estimates, skipped) = PassAtKTable.Compute(counts, ks);
        return new Dictionary<string, PassAtKColumn> { ["base"] = new(estimates, skipped) };
    }

    private static string Text(string path, PythonJsonRow row, string field)
    {
        if (!row.Object.TryGetPropertyValue(field, out var node) || node is null)
            throw UserInputException.At(path, row.Line, field, "missing (expected a string).");
        if (node.GetValueKind() != JsonValueKind.String)
            throw UserInputException.At(path, row.Line, field, $"expected a string, found {node.GetValueKind().ToString().ToLowerInvariant()}.");
        return node.GetValue<string>();
    }

    /// <summary>base_input and plus_input: a list of inputs, each the list of the function's arguments (or {}, none).</summary>
    private static void Inputs(string path, PythonJsonRow row, string field)
    {
        if (!row.Object.TryGetPropertyValue(field, out var node) || node is null)
            throw UserInputException.At(path, row.Line, field, "missing (expected a list of inputs, each a list of arguments).");
        if (node is JsonObject { Count: 0 }) return; // MBPP+ writes Mbpp/793's empty plus_input as {}; Python iterates it as no inputs
        if (node is not JsonArray inputs)
            throw UserInputException.At(path, row.Line, field, $"expected a list of inputs, each a list of arguments; found {node.GetValueKind().ToString().ToLowerInvariant()}.");
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is not JsonArray)
                throw UserInputException.At(path, row.Line, field, $"input {i} is not a list of arguments.");
        }
    }

    [GeneratedRegex(@"^HumanEval/\d+$")]
    private static partial Regex HumanEvalTaskId();

    [GeneratedRegex(@"^Mbpp/\d+$")]
    private static partial Regex MbppTaskId();
}

/// <summary>Which EvalPlus data set a problem comes from: it decides the input conversions and special oracles.</summary>
public enum EvalPlusFlavour
{
    HumanEval,
    Mbpp,
}
