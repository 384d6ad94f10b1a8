namespace CodexSharp.Core.Metrics;

/// <summary>Choosing one sample by a score (§3.3): the highest-scoring one is submitted.</summary>
public static class TopRanked
{
    /// <summary>The chance that the highest-scoring sample passes, a tie for the top broken uniformly at random.</summary>
    public static double PassRate(IEnumerable<(double Score, bool Passed)> samples)
    {
        var list = samples.ToList();
        if (list.Count == 0) throw new ArgumentException("no samples to choose from", nameof(samples));
        var best = list.Max(s => s.Score);
        var top = list.Where(s => s.Score == best).ToList();
        return top.Count(s => s.Passed) / (double)top.Count;
    }
}
