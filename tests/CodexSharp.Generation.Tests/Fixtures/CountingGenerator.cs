using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Tests.Fixtures;

/// <summary>
/// A hand-written fake for unit tests of the runner's bookkeeping: answers each prompt with numbered
/// completions, counts calls and concurrency, and can be told to fail from a given call on.
/// </summary>
public sealed class CountingGenerator : ICodeGenerator
{
    private int _calls;
    private int _inFlight;

    public string ModelName => "counting";

    /// <summary>Calls from this one on (1-based) throw a non-transient fault.</summary>
    public int? FailFromCall { get; init; }

    /// <summary>Prompt tokens the fake says it cut from a prompt (as a model with a short context does); 0 by default.</summary>
    public Func<string, int> PromptTokensDropped { get; init; } = _ => 0;

    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(5);

    public int Calls => _calls;

    public int MaxInFlight { get; private set; }

    public List<long?> Seeds { get; } = [];

    public async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        var now = Interlocked.Increment(ref _inFlight);
        lock (Seeds)
        {
            MaxInFlight = Math.Max(MaxInFlight, now);
            Seeds.Add(request.Sampling.Seed);
        }
        try
        {
            await Task.Delay(Delay, cancellationToken);
            if (call >= FailFromCall) throw new GenerationBackendException($"fake fault on call {call}", BackendFaultKind.Permanent);
            return Enumerable.Range(0, request.N)
                .Select(i => new GeneratedCompletion($"    return {call * 100 + i}\n\ndef next_one():\n", "stop", [new TokenLogProb("    return", -0.5)],
                    PromptTokensDropped: PromptTokensDropped(request.Prompt)))
                .ToList();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public void Dispose() { }
}
