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
        if (Workers < 1 || Workers > maxWorkers)
            throw new ConfigException("workers", maxWorkers == int.MaxValue ? "expected 1 or more." : $"expected 1 to {maxWorkers} (4 per core on this machine).");
        if (MemoryMb < 64) throw new ConfigException("memory_mb", "expected at least 64.");
        return this;
    }
}
