using CodexSharp.Core.Generation;
using Polly;
using Polly.Retry;

namespace CodexSharp.Generation.Resilience;

/// <summary>
/// Retries transient faults of the wrapped generator with exponential backoff and jitter, honouring a
/// server's Retry-After. Faults that retrying cannot fix (a refused key, an unknown model) pass straight through.
/// </summary>
public sealed class RetryingCodeGenerator : DelegatingCodeGenerator
{
    private readonly ResiliencePipeline _pipeline;
    private readonly RetryOptions _options;

    public RetryingCodeGenerator(ICodeGenerator inner, RetryOptions options, Action<RetryNotice>? onRetry = null) : base(inner)
    {
        _options = options;
        if (options.MaxRetries <= 0)
        {
            _pipeline = ResiliencePipeline.Empty;
            return;
        }
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<GenerationBackendException>(e => e.IsTransient),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                DelayGenerator = args => ValueTask.FromResult(ServerAskedDelay(args.Outcome.Exception, options.MaxDelay)),
                OnRetry = args =>
                {
                    onRetry?.Invoke(new RetryNotice(args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message ?? "no result"));
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public override async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async ct => await Inner.GenerateAsync(request, ct), cancellationToken);
        }
        catch (GenerationBackendException e) when (e.IsTransient && _options.MaxRetries > 0)
        {
            throw new GenerationBackendException($"{e.Message} (gave up after {_options.MaxRetries + 1} attempts)", BackendFaultKind.RetriesExhausted, inner: e);
        }
    }

    private static TimeSpan? ServerAskedDelay(Exception? fault, TimeSpan max) =>
        fault is GenerationBackendException { RetryAfter: { } asked } && asked > TimeSpan.Zero ? (asked < max ? asked : max) : null;
}
