using System.Diagnostics;

namespace CodexSharp.Cli;

/// <summary>
/// Lets a progress line through at most once per <paramref name="interval"/>, unless the caller forces it
/// (a new phase, the last item). Thread-safe: progress arrives from many workers at once.
/// </summary>
internal sealed class ProgressThrottle(TimeSpan interval)
{
    private readonly Lock _gate = new();
    private long _last;
    private bool _any;

    /// <summary>The plain-text interval of every command: a line every 5 seconds.</summary>
    public static TimeSpan PlainLineInterval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>True when a line should be written now (and starts a new interval); always true when <paramref name="force"/>.</summary>
    public bool ShouldReport(bool force = false)
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            if (!force && _any && Stopwatch.GetElapsedTime(_last, now) < interval) return false;
            _last = now;
            _any = true;
            return true;
        }
    }
}
