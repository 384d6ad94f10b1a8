namespace CodexSharp.Core.Generation;

/// <summary>Stop sequences and the truncation every backend's output goes through.</summary>
public static class StopSequences
{
    /// <summary>The Codex paper's stop sequences (§3.2): each starts an unindented line after the function.</summary>
    public static IReadOnlyList<string> Paper { get; } = ["\nclass", "\ndef", "\n#", "\nif", "\nprint"];

    /// <summary>
    /// Cuts <paramref name="text"/> before the earliest occurrence of any stop sequence.
    /// Returns the text unchanged when none occurs.
    /// </summary>
    public static string Truncate(string text, IReadOnlyList<string> stops)
    {
        var cut = FirstStop(text, stops);
        return cut < 0 ? text : text[..cut];
    }

    /// <summary>Index of the earliest stop sequence in <paramref name="text"/>, or -1.</summary>
    public static int FirstStop(string text, IReadOnlyList<string> stops)
    {
        var best = -1;
        foreach (var stop in stops)
        {
            if (stop.Length == 0) continue;
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }
}
