using System.Text.Json.Serialization;

namespace CodexSharp.Core.Evaluation;

/// <summary>
/// How samples are evaluated, independent of which samples: everything <c>evaluate</c> and <c>run</c> take
/// from their flags, so that a stage can validate it completely before any work starts. Defaults follow
/// openai/human-eval, with a real sandbox around each program.
/// </summary>
public sealed record EvaluationSettings
{
    /// <summary>The longest per-program limit accepted; a larger one is a typo, not a plan.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    /// <summary>The k of each pass@k to report. Default: 1, 10, 100 (human-eval).</summary>
    public IReadOnlyList<int> Ks { get; init; } = [1, 10, 100];

    /// <summary>Wall-clock limit per program. Default: 3 s (human-eval). With calibration, the limit of tasks whose calibration failed.</summary>
    [JsonIgnore]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary><see cref="Timeout"/> in seconds, as the run's record writes it.</summary>
    [JsonPropertyName("timeout_s")]
    public double TimeoutSeconds => Timeout.TotalSeconds;

    /// <summary>
    /// CPU time a program's process may use before it is "timed out", ahead of its wall-clock limit: a program
    /// that loops forever stops after this much CPU instead of the whole wall-clock limit. Default: null, a
    /// third of each program's wall-clock limit (1 s of 3 s). Zero: no CPU-time limit, human-eval's rule alone.
    /// </summary>
    [JsonIgnore]
    public TimeSpan? CpuLimit { get; init; }

    /// <summary><see cref="CpuLimit"/> in seconds as the run's record writes it: null for the default, 0 for none.</summary>
    [JsonPropertyName("cpu_limit_s")]
    public double? CpuLimitSeconds => CpuLimit?.TotalSeconds;

    /// <summary>The share of a program's wall-clock limit it may spend on the CPU when <see cref="CpuLimit"/> is not set.</summary>
    public const double DefaultCpuShare = 1.0 / 3;

    /// <summary>The CPU-time limit of a program whose wall-clock limit is <paramref name="wallLimit"/>; null for none.</summary>
    public TimeSpan? CpuLimitFor(TimeSpan wallLimit) => CpuLimit switch
    {
        null => wallLimit * DefaultCpuShare,
        { } cpu when cpu > TimeSpan.Zero && cpu < wallLimit => cpu,
        _ => null,
    };

    /// <summary>The rule in words, for the summary and the run's record.</summary>
    [JsonIgnore]
    public string CpuLimitRule => CpuLimit switch
    {
        null => "a third of the wall-clock limit",
        { } cpu when cpu > TimeSpan.Zero => cpu.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s",
        _ => "none",
    };

    /// <summary>Per-task limits measured from the canonical solutions. Default: null, the fixed <see cref="Timeout"/>.</summary>
    public TimeLimitCalibration? Calibration { get; init; }

    /// <summary>Re-run each timed-out sample once, alone, before "timed out" is final. Default: null, meaning "when calibrated".</summary>
    public bool? RerunTimeouts { get; init; }

    /// <summary>Programs in flight at once (sandboxed workers). Default: one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Address-space limit of each program, in MiB. Default: 4096.</summary>
    public int MemoryMb { get; init; } = 4096;

    /// <summary>Run programs in bubblewrap. Default: true; false only when the user asked for it by name.</summary>
    public bool Sandboxed { get; init; } = true;

    /// <summary>
    /// Run each sample's tests inside its own process, as openai/human-eval, EvalPlus and APPS do, for exact
    /// reproduction of their verdicts. Default: false: the tests run apart, in a process the sample never ran in,
    /// and only plain data crosses, so that no sample can forge a pass.
    /// </summary>
    public bool TestsInSampleProcess { get; init; }

    /// <summary>How verdicts are decided, in words, for the summary and the run's record.</summary>
    [JsonIgnore]
    public string JudgingRule => TestsInSampleProcess ? "in-process" : "apart";

    /// <summary>Unknown task ids and problems without samples are errors, not warnings. Default: false.</summary>
    public bool Strict { get; init; }

    /// <summary>Whether timed-out samples are re-run: <see cref="RerunTimeouts"/>, else on exactly when calibrated.</summary>
    [JsonIgnore]
    public bool ResolvedRerunTimeouts => RerunTimeouts ?? Calibration is not null;

    /// <summary>Checks every field.</summary>
    /// <param name="maxWorkers">The most workers the program runner starts.</param>
    /// <exception cref="ConfigException">A field is out of range; the exception names it.</exception>
    public EvaluationSettings Validate(int maxWorkers = int.MaxValue)
    {
        if (Ks.Count == 0) throw new ConfigException("ks", "expected at least one k, e.g. 1,10,100.");
        if (Ks.Any(k => k < 1)) throw new ConfigException("ks", $"{Ks.First(k => k < 1)} is not a positive integer.");
        if (!(Timeout > TimeSpan.Zero && Timeout <= MaxTimeout))
            throw new ConfigException("timeout_s", $"expected more than 0 and at most {MaxTimeout.TotalSeconds:0} seconds (1 hour).");
        if (CpuLimit is { } cpu && !(cpu >= TimeSpan.Zero && cpu <= MaxTimeout))
            throw new ConfigException("cpu_limit_s", $"expected 0 (no CPU-time limit) to {MaxTimeout.TotalSeconds:0} seconds.");
        if (Workers < 1 || Workers > maxWorkers)
            throw new ConfigException("workers", maxWorkers == int.MaxValue ? "expected 1 or more." : $"expected 1 to {maxWorkers} (4 per core on this machine).");
        if (MemoryMb < 64) throw new ConfigException("memory_mb", "expected at least 64.");
        return this;
    }
}
