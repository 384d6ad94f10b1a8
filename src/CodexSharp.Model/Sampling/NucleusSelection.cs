namespace CodexSharp.Model.Sampling;

/// <summary>
/// Top-p and top-k sampling over one row of probabilities without sorting the vocabulary: the cut-off probability
/// is found with a histogram over the floats' bit patterns (which order like the values), and only the one bucket
/// the cut falls into is sorted. O(V) per row; used when the nucleus is too wide for a cheap top-k prefix
/// (a flat distribution at a high temperature).
/// </summary>
internal static class NucleusSelection
{
    private const int Buckets = 1 << 16;

    // Reused per thread: a fresh 512 KiB histogram per row would land on the large-object heap every step.
    [ThreadStatic] private static double[]? massBuffer;
    [ThreadStatic] private static int[]? countBuffer;

    /// <param name="probs">The row's (tempered) probabilities, summing to about 1.</param>
    /// <param name="topP">Keep the most likely tokens until their mass reaches this (values ≥ 1 keep all).</param>
    /// <param name="topK">Keep at most this many of the most likely tokens; 0 means no cut.</param>
    /// <param name="uniform">A number in [0, 1) that picks the token by inverse CDF over the kept tokens in id order.</param>
    public static int Sample(ReadOnlySpan<float> probs, double topP, int topK, double uniform)
    {
        var threshold = Math.Max(MassThreshold(probs, topP), topK > 0 ? RankThreshold(probs, topK) : 0f);
        double kept = 0;
        foreach (var p in probs)
        {
            if (p >= threshold) kept += p;
        }
        var target = uniform * kept;
        double cumulative = 0;
        var last = 0;
        for (var id = 0; id < probs.Length; id++)
        {
            if (probs[id] < threshold) continue;
            cumulative += probs[id];
            last = id;
            if (cumulative > target) return id;
        }
        return last;
    }

    /// <summary>The smallest probability among the most likely tokens whose mass first reaches <paramref name="topP"/>.</summary>
    internal static float MassThreshold(ReadOnlySpan<float> probs, double topP)
    {
        if (topP >= 1) return 0f;
        var mass = massBuffer ??= new double[Buckets];
        Array.Clear(mass);
        foreach (var p in probs) mass[Bucket(p)] += p;
        double above = 0;
        for (var bucket = Buckets - 1; bucket >= 0; bucket--)
        {
            if (above + mass[bucket] < topP)
            {
                above += mass[bucket];
                continue;
            }
            // The cut falls inside this bucket: sort just its members.
            var members = new List<float>();
            foreach (var p in probs)
            {
                if (Bucket(p) == bucket) members.Add(p);
            }
            members.Sort((a, b) => b.CompareTo(a));
            foreach (var p in members)
            {
                above += p;
                if (above >= topP) return p;
            }
            return members[^1];
        }
        return 0f;
    }

    /// <summary>The k-th largest probability (ties at it are all kept).</summary>
    internal static float RankThreshold(ReadOnlySpan<float> probs, int topK)
    {
        if (topK >= probs.Length) return 0f;
        var counts = countBuffer ??= new int[Buckets];
        Array.Clear(counts);
        foreach (var p in probs) counts[Bucket(p)]++;
        var seen = 0;
        for (var bucket = Buckets - 1; bucket >= 0; bucket--)
        {
            if (seen + counts[bucket] < topK)
            {
                seen += counts[bucket];
                continue;
            }
            var members = new List<float>();
            foreach (var p in probs)
            {
                if (Bucket(p) == bucket) members.Add(p);
            }
            members.Sort((a, b) => b.CompareTo(a));
            return members[topK - seen - 1];
        }
        return 0f;
    }

    // Non-negative floats order like their bit patterns; the top 16 bits are sign, exponent and 7 mantissa bits.
    private static int Bucket(float p) => (int)(BitConverter.SingleToUInt32Bits(Math.Max(p, 0f)) >> 16);
}
