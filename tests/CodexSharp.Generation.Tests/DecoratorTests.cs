using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Resilience;

namespace CodexSharp.Generation.Tests;

public sealed class DecoratorTests
{
    private static readonly RetryOptions Fast = new() { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    private static CompletionRequest Request => new("def f():\n", 1, new SamplingOptions());

    /// <summary>Throws the given faults in order, then answers.</summary>
    private sealed class FaultyGenerator(params Exception[] faults) : ICodeGenerator
    {
        public int Calls { get; private set; }

        public string ModelName => "faulty";

        public Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
        {
            Calls++;
            if (Calls <= faults.Length) throw faults[Calls - 1];
            return Task.FromResult<IReadOnlyList<GeneratedCompletion>>([new GeneratedCompletion("    pass\n", "stop")]);
        }

        public void Dispose() { }
    }

    [Fact]
    public async Task Transient_faults_are_retried_and_each_retry_is_reported()
    {
        var inner = new FaultyGenerator(new GenerationBackendException("busy", BackendFaultKind.Transient, TimeSpan.FromMilliseconds(1)), new GenerationBackendException("busy", BackendFaultKind.Transient));
        var notices = new List<RetryNotice>();
        using var generator = new RetryingCodeGenerator(inner, Fast, notices.Add);
        Assert.Single(await generator.GenerateAsync(Request));
        Assert.Equal(3, inner.Calls);
        Assert.Equal([1, 2], notices.Select(n => n.Attempt));
    }

    [Fact]
    public async Task Permanent_faults_and_user_errors_are_not_retried()
    {
        var permanent = new FaultyGenerator(new GenerationBackendException("bad request", BackendFaultKind.Permanent));
        using (var generator = new RetryingCodeGenerator(permanent, Fast))
            await Assert.ThrowsAsync<GenerationBackendException>(() => generator.GenerateAsync(Request));
        Assert.Equal(1, permanent.Calls);

        var user = new FaultyGenerator(new UserInputException("bad key"));
        using (var generator = new RetryingCodeGenerator(user, Fast))
            await Assert.ThrowsAsync<UserInputException>(() => generator.GenerateAsync(Request));
        Assert.Equal(1, user.Calls);
    }

    [Fact]
    public async Task Giving_up_says_how_many_attempts_were_made()
    {
        var inner = new FaultyGenerator(Enumerable.Range(0, 10).Select(_ => (Exception)new GenerationBackendException("HTTP 503", BackendFaultKind.Transient)).ToArray());
        using var generator = new RetryingCodeGenerator(inner, Fast);
        var error = await Assert.ThrowsAsync<GenerationBackendException>(() => generator.GenerateAsync(Request));
        Assert.Equal("HTTP 503 (gave up after 4 attempts)", error.Message);
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task Calls_over_the_rate_wait_for_their_turn()
    {
        var inner = new FaultyGenerator();
        using var generator = new RateLimitedCodeGenerator(inner, requestsPerMinute: 1);
        Assert.Single(await generator.GenerateAsync(Request));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(Request, cancel.Token));
        Assert.Equal(1, inner.Calls);
    }
}
