using System.Threading.RateLimiting;
using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Resilience;

/// <summary>
/// Lets at most <c>requestsPerMinute</c> calls through to the wrapped generator, spread evenly (a token
/// bucket refilled one token at a time); callers over the limit wait their turn.
/// </summary>
public sealed class RateLimitedCodeGenerator : DelegatingCodeGenerator
{
    private readonly TokenBucketRateLimiter _limiter;

    public RateLimitedCodeGenerator(ICodeGenerator inner, double requestsPerMinute) : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerMinute);
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1 / requestsPerMinute),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public override async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        using var lease = await _limiter.AcquireAsync(1, cancellationToken);
        return await Inner.GenerateAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _limiter.Dispose();
        base.Dispose(disposing);
    }
}
