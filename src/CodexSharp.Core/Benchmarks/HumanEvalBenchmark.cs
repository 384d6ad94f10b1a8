using System.Text.RegularExpressions;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// HumanEval (Chen et al. 2021), exactly as openai/human-eval runs it: the prompt is the function signature and
/// docstring, the program is <c>prompt + completion + "\n" + test + "\n" + "check(" + entry_point + ")"</c>,
/// one sandboxed process per sample, and a sample passes when that program runs to its end. Any file in
/// human-eval's format works (HumanEval+'s OriginFmt, a subset, your own problems).
/// </summary>
public sealed partial class HumanEvalBenchmark : Benchmark
{
    public static HumanEvalBenchmark Instance { get; } =
        new("humaneval", "HumanEval (Chen et al. 2021): 164 hand-written Python problems, 7.7 tests each on average");

    /// <summary>
    /// HumanEval+ in its OriginFmt rendering: EvalPlus's extra inputs written into each problem's check(), run the
    /// HumanEval way (the whole test in one program per sample).
    /// </summary>
    public static HumanEvalBenchmark Plus { get; } =
        new("humanevalplus-originfmt", "HumanEval+ v0.1.10 (EvalPlus), its many extra tests written as HumanEval check() functions");

    private HumanEvalBenchmark(string name, string description)
    {
        Name = name;
        Description = description;
    }

    public override string Name { get; }

    public override string Description { get; }

    public override string LayoutDescription => "a JSONL(.gz) file in human-eval's format: task_id, prompt, canonical_solution, test, entry_point";

    public override ProblemSet Load(string path) => ProblemSet.Load(path);

    public override bool LooksLikeItsTaskId(string taskId) => TaskIdForm().IsMatch(taskId);

    public override Task<IJudge> PrepareAsync(BenchmarkRun run, CancellationToken cancellationToken) =>
        Task.FromResult(ApartJudge.OrInSampleProcess(run, (problem, completion) => problem.ProgramFor(completion), JudgeOf));

    /// <summary>
    /// The trusted half of a sample's run: the prompt (so that helpers it defines, e.g. HumanEval/32's poly, are
    /// the problem's own, not the sample's), the test, and check() called with the sample's function, which is
    /// also bound to its own name (some tests call it by name).
    /// </summary>
    public static string JudgeOf(Problem problem) =>
        string.Concat(problem.Prompt, "\n", problem.Test, "\n__sample__.bind(globals(), ", ApartJudge.PythonString(problem.EntryPoint), ")\ncheck(__sample__.function(",
            ApartJudge.PythonString(problem.EntryPoint), "))\n");

    [GeneratedRegex(@"^HumanEval/\d+$")]
    private static partial Regex TaskIdForm();
}

/// <summary>
/// The judge of benchmarks whose tests are a program: the sample's own code (prompt and completion) runs in one process, the tests in
/// another that calls the sample's functions through <c>__sample__</c> (only plain data crosses), and the sample
/// passes when the tests' process runs to its end (<see cref="ExecutionRequest.Judge"/>).
/// </summary>
public sealed class ApartJudge(BenchmarkRun run, Func<Problem, string> judgeOf) : IJudge
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _judges = new(StringComparer.Ordinal);

    public TimeSpan? LimitOf(Problem problem) => null;

    public async Task<Judgement> JudgeAsync(Problem problem, string completion, RunLimits limits, CancellationToken cancellationToken)
    {
        var judge = _judges.GetOrAdd(problem.TaskId, _ => judgeOf(problem));
        return new(await run.Runner.RunAsync(limits.RequestFor(problem.Prompt + completion, judge), cancellationToken));
    }

    /// <summary>
    /// The judge of a benchmark whose sample is the prompt and completion and whose tests are <paramref name="judgeOf"/>:
    /// apart, or the whole program (<paramref name="wholeProgram"/>) in one process when the run asks for that.
    /// </summary>
    public static IJudge OrInSampleProcess(BenchmarkRun run, Func<Problem, string, string> wholeProgram, Func<Problem, string> judgeOf) =>
        run.TestsInSampleProcess
            ? new SingleProgramJudge(run, wholeProgram)
            : new ApartJudge(run, judgeOf);

    /// <summary><paramref name="text"/> as a Python string literal.</summary>
    public static string PythonString(string text) => System.Text.Json.JsonSerializer.Serialize(text, PythonLiteral);

    private static readonly System.Text.Json.JsonSerializerOptions PythonLiteral = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>The judge of benchmarks whose sample is one program that passes by running to its end.</summary>
public sealed class SingleProgramJudge(BenchmarkRun run, Func<Problem, string, string> programFor) : IJudge
{
    public TimeSpan? LimitOf(Problem problem) => null;

    public async Task<Judgement> JudgeAsync(Problem problem, string completion, RunLimits limits, CancellationToken cancellationToken) =>
        new(await run.Runner.RunAsync(limits.RequestFor(programFor(problem, completion)), cancellationToken));
}
