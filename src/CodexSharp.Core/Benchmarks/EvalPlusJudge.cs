using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// Judges completions of EvalPlus problems: <c>evalplus_judge.py</c> runs as the judge of a run judged apart
/// (the sample's code in one sandboxed process, the harness in another that the sample never ran in): it computes
/// the reference solution's outputs (the sandbox returns only a short verdict, and HumanEval+'s expected outputs
/// are 117 MB), calls the sample on the base inputs and, if they all pass, on the plus inputs, each input under
/// EvalPlus's time limits measured against the reference in that process, and compares the outputs, which
/// arrive as plain data. With <c>--tests-in-sample-process</c> the harness and the sample share one process, as in
/// EvalPlus. The verdict comes back as the program's failure text, marked with a per-run nonce.
/// A process that crashes or exceeds the outer limit leaves no marked verdict: the base inputs are then run
/// alone once more, so that its <c>base_passed</c> is still known.
/// </summary>
public sealed class EvalPlusJudge(IProgramRunner runner, EvalPlusFlavour flavour, IReadOnlyDictionary<string, ReferenceTime> times, bool inSampleProcess = false) : IJudge
{
    private readonly ConcurrentDictionary<string, string> _rows = new(StringComparer.Ordinal);

    /// <summary>The process limit measured for the problem (<see cref="ReferenceTime.ProcessLimit"/>), or null when its reference could not be timed.</summary>
    public TimeSpan? LimitOf(Problem problem) => times.TryGetValue(problem.TaskId, out var t) ? t.ProcessLimit : null;

    public async Task<Judgement> JudgeAsync(Problem problem, string completion, RunLimits limits, CancellationToken cancellationToken)
    {
        var (result, marked) = await RunAsync(problem, completion, EvalPlusMode.Judge, limits.Wall, cancellationToken);
        if (result.Passed) return Verdict(result, basePassed: true);
        if (marked is not null) return Outcome(result, marked);
        // Crashed or stopped from outside: whether the base inputs pass is not known yet.
        var baseLimit = times.TryGetValue(problem.TaskId, out var t) ? t.BaseOnlyLimit : limits.Wall;
        var (baseResult, _) = await RunAsync(problem, completion, EvalPlusMode.Base, baseLimit, cancellationToken);
        return Verdict(result, baseResult.Passed);
    }

    /// <summary>Runs the judge program; returns the runner's verdict and the harness's marked report, if any.</summary>
    internal async Task<(ExecutionResult Result, JsonObject? Report)> RunAsync(Problem problem, string completion, EvalPlusMode mode, TimeSpan limit,
        CancellationToken cancellationToken)
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var row = _rows.GetOrAdd(problem.TaskId, _ => Base64(problem.Test));
        // No CPU-time limit: the harness enforces EvalPlus's per-input wall-clock limits itself. The reference
        // alone (timing mode) runs no sample's code, so it needs no second process.
        var request = inSampleProcess || mode == EvalPlusMode.Reference
            ? new ExecutionRequest(EvalPlusProgram.Build(flavour, row, completion, mode, nonce), limit)
            : new ExecutionRequest(problem.Prompt + completion, limit) { Judge = EvalPlusProgram.Build(flavour, row, null, mode, nonce) };
        var result = await runner.RunAsync(request, cancellationToken);
        return (result, EvalPlusProgram.ReportOf(result, nonce));
    }

    private static Judgement Outcome(ExecutionResult result, JsonObject report)
    {
        var phase = report["phase"]?.GetValue<string>() ?? "base";
        var kind = report["kind"]?.GetValue<string>() ?? "fail";
        var detail = report["detail"]?.GetValue<string>() ?? "";
        var basePassed = phase == "plus";
        if (kind == "timeout") return Verdict(ExecutionResult.Timeout(result.Duration), basePassed);
        var where = report["input"] is JsonValue index ? $"{phase}_input[{index.GetValue<int>()}] (of {report["of"]}): " : "";
        var what = kind == "reference" ? $"the reference solution failed on {where}{detail}" : where + detail;
        return Verdict(ExecutionResult.Fail(what, result.Duration), basePassed);
    }

    private static Judgement Verdict(ExecutionResult result, bool basePassed) =>
        new(result, new Dictionary<string, bool> { [EvalPlusBenchmark.BasePassed] = basePassed });

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}

/// <summary>What the harness does: judge (base, then plus), base inputs only, or time the reference.</summary>
internal enum EvalPlusMode
{
    Judge,
    Base,
    Reference,
}

/// <summary>The program that judges one completion: <c>evalplus_judge.py</c> and the call that runs it.</summary>
internal static class EvalPlusProgram
{
    private static readonly Lazy<string> Harness = new(() =>
    {
        using var stream = typeof(EvalPlusProgram).Assembly.GetManifestResourceStream("CodexSharp.Core.evalplus_judge.py")
            ?? throw new InvalidOperationException("evalplus_judge.py is not embedded in CodexSharp.Core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>
    /// The program for <paramref name="completion"/>, or the judge of a run judged apart when it is null;
    /// <paramref name="rowBase64"/> is the problem's row as written, base64 of its UTF-8.
    /// </summary>
    public static string Build(EvalPlusFlavour flavour, string rowBase64, string? completion, EvalPlusMode mode, string nonce)
    {
        var flavourName = flavour == EvalPlusFlavour.HumanEval ? "humaneval" : "mbpp";
        var modeName = mode.ToString().ToLowerInvariant();
        var completionArgument = completion is null ? "None" : "'" + Convert.ToBase64String(Encoding.UTF8.GetBytes(completion)) + "'";
        return string.Concat(Harness.Value, "\n_evalplus_judge('", flavourName, "', '", rowBase64, "', ", completionArgument, ", '", modeName, "', '", nonce, "')\n");
    }

    /// <summary>The harness's report in a failed verdict ("failed: NONCE {json}"), or null when the text is not one.</summary>
    public static JsonObject? ReportOf(ExecutionResult result, string nonce)
    {
        var prefix = "failed: " + nonce + " ";
        if (result.Status != ExecutionStatus.Failed || !result.Result.StartsWith(prefix, StringComparison.Ordinal)) return null;
        try
        {
            return JsonNode.Parse(result.Result.AsSpan(prefix.Length).ToString()) as JsonObject;
        }
        catch (JsonException)
        {
            return null; // cut short by the runner's message cap: treated as unmarked
        }
    }
}
