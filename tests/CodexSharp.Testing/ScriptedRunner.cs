using System.Collections.Concurrent;
using CodexSharp.Core.Execution;

namespace CodexSharp.Testing;

/// <summary>
/// A hand-written stand-in for the sandboxed runner, for unit tests of evaluation logic only. A program's
/// verdict is read from a marker in its text: "#!fail" fails, "#!timeout" times out, "#!flaky" times out on
/// its first run only; anything else passes. "#!ms=N" sets the reported duration.
/// </summary>
public sealed class ScriptedRunner : IProgramRunner
{
    private readonly ConcurrentDictionary<string, int> _runs = new();

    /// <summary>Every program run, in completion order.</summary>
    public ConcurrentQueue<ExecutionRequest> Requests { get; } = new();

    /// <summary>Called before each run; a test can cancel or throw from here.</summary>
    public Action<ExecutionRequest>? BeforeRun { get; set; }

    public Task<ExecutionResult> RunAsync(ExecutionRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BeforeRun?.Invoke(request);
        Requests.Enqueue(request);
        var runs = _runs.AddOrUpdate(request.Program, 1, (_, n) => n + 1);
        var duration = TimeSpan.FromMilliseconds(ReadMs(request.Program));
        var text = request.Program;
        ExecutionResult result =
            text.Contains("#!fail", StringComparison.Ordinal) ? ExecutionResult.Fail("scripted failure", duration)
            : text.Contains("#!timeout", StringComparison.Ordinal) ? ExecutionResult.Timeout(request.Timeout)
            : text.Contains("#!flaky", StringComparison.Ordinal) && runs == 1 ? ExecutionResult.Timeout(request.Timeout)
            : ExecutionResult.Pass(duration);
        return Task.FromResult(result);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static double ReadMs(string program)
    {
        var at = program.IndexOf("#!ms=", StringComparison.Ordinal);
        if (at < 0) return 1;
        var end = at + 5;
        while (end < program.Length && (char.IsDigit(program[end]) || program[end] == '.')) end++;
        return double.Parse(program[(at + 5)..end], System.Globalization.CultureInfo.InvariantCulture);
    }
}
