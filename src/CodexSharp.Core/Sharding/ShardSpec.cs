using System.Globalization;

namespace CodexSharp.Core.Sharding;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (0 ≤ Index &lt; Count): one deterministic, balanced part of a
/// stage's work (see <see cref="ShardPlan"/>). Written <c>I/N</c> on the command line and <c>shard-I-of-N</c> in file names.
/// </summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The most shards a run may be split into.</summary>
    public const int MaxCount = 100_000;

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>The part of a file name that marks this shard's outputs: <c>shard-I-of-N</c>.</summary>
    public string FileTag => $"shard-{Index}-of-{Count}";

    /// <summary>Parses <c>I/N</c>.</summary>
    /// <exception cref="ConfigException">Not two integers with 0 ≤ I &lt; N ≤ <see cref="MaxCount"/> (field <c>shard</c>).</exception>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !TryWholeNumber(parts[1], out var count) || !TryWholeNumber(parts[0], out var index))
            throw new ConfigException("shard", $"'{text}' is not I/N with whole numbers (e.g. 0/4: the first of four shards).");
        return Checked(index, count, "shard", text);
    }

    /// <summary>A shard from a separate index and count, checked as <see cref="Parse"/> checks them.</summary>
    public static ShardSpec Checked(int index, int count, string field, string shown)
    {
        if (count < 1 || count > MaxCount)
            throw new ConfigException(field, $"'{shown}': the number of shards must be 1 to {MaxCount}.");
        if (index < 0 || index >= count)
            throw new ConfigException(field, $"'{shown}': the shard index must be 0 to {count - 1} for {count} shard(s) (indices start at 0).");
        return new ShardSpec(index, count);
    }

    /// <summary>A whole number, possibly negative (so that -1 is reported as out of range, not as unreadable).</summary>
    internal static bool TryWholeNumber(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}

/// <summary>The shard a run takes and where it came from (<c>--shard</c>, <c>SLURM_ARRAY_TASK_ID</c>, <c>JOB_COMPLETION_INDEX</c>).</summary>
public sealed record ShardChoice(ShardSpec Spec, string Source)
{
    /// <summary>"shard 2/4 (from SLURM_ARRAY_TASK_ID=2 and --shards 4)".</summary>
    public string Describe() => $"shard {Spec} (from {Source})";
}

/// <summary>
/// Which shard a run takes: <c>--shard I/N</c> when given; else a Slurm array task's <c>SLURM_ARRAY_TASK_ID</c> with
/// <c>--shards N</c> or <c>SLURM_ARRAY_TASK_COUNT</c>; else a Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c> with
/// <c>--shards N</c>; else none (the whole run). The array index is used as it is (an array of N shards is
/// <c>--array=0-(N-1)</c>), so that one task resubmitted alone (<c>--array=2</c>) is still shard 2 of N.
/// </summary>
public static class ShardSelection
{
    public const string SlurmIndex = "SLURM_ARRAY_TASK_ID";
    public const string SlurmCount = "SLURM_ARRAY_TASK_COUNT";
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX";

    /// <param name="shard">The <c>--shard</c> value, or null.</param>
    /// <param name="shards">The <c>--shards</c> value, or null.</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <exception cref="ConfigException">A value is malformed or out of range, or an index has no count (field <c>shard</c> or <c>shards</c>).</exception>
    public static ShardChoice? Resolve(string? shard, int? shards, Func<string, string?> environment)
    {
        if (shards is { } n && (n < 1 || n > ShardSpec.MaxCount))
            throw new ConfigException("shards", $"'{n}': the number of shards must be 1 to {ShardSpec.MaxCount}.");
        if (shard is not null)
        {
            var spec = ShardSpec.Parse(shard);
            if (shards is { } m && m != spec.Count)
                throw new ConfigException("shards", $"{m} disagrees with --shard {shard} ({spec.Count} shards); give one of them.");
            return new ShardChoice(spec, "--shard");
        }
        if (Set(environment(SlurmIndex)) is { } slurm)
        {
            var countText = Set(environment(SlurmCount));
            int count;
            string countSource;
            if (shards is { } given)
            {
                count = given;
                countSource = $"--shards {given}";
            }
            else if (countText is not null)
            {
                if (!ShardSpec.TryWholeNumber(countText, out count))
                    throw new ConfigException("shards", $"{SlurmCount}='{countText}' is not a whole number.");
                countSource = $"{SlurmCount}={countText}";
            }
            else
            {
                throw new ConfigException("shards", $"{SlurmIndex}={slurm} is set but not the number of shards: pass --shards N (or run as an array, which sets {SlurmCount}).");
            }
            return new ShardChoice(IndexOf(slurm, SlurmIndex, count), $"{SlurmIndex}={slurm} and {countSource}");
        }
        if (Set(environment(KubernetesIndex)) is { } k8s)
        {
            if (shards is not { } count)
                throw new ConfigException("shards", $"{KubernetesIndex}={k8s} is set but not the number of shards: pass --shards N (the Job's completions).");
            return new ShardChoice(IndexOf(k8s, KubernetesIndex, count), $"{KubernetesIndex}={k8s} and --shards {count}");
        }
        if (shards is { } alone)
            throw new ConfigException("shards", $"--shards {alone} needs a shard index: --shard I/{alone}, or {SlurmIndex} (a Slurm array task) or {KubernetesIndex} (a Kubernetes Indexed Job).");
        return null;
    }

    private static ShardSpec IndexOf(string text, string variable, int count)
    {
        if (!ShardSpec.TryWholeNumber(text, out var index))
            throw new ConfigException("shard", $"{variable}='{text}' is not a whole number.");
        return ShardSpec.Checked(index, count, "shard", $"{variable}={text} of {count}");
    }

    private static string? Set(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
