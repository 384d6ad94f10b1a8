using CodexSharp.Core.Generation;

namespace CodexSharp.Serving.Tests;

public sealed class AdmissionTests
{
    /// <summary>A generator that holds every call until released: makes "busy" observable without timing.</summary>
    private sealed class GatedGenerator : ICodeGenerator
    {
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int started;

        public string ModelName => "gated";

        public int Started => Volatile.Read(ref started);

        public void Release() => release.TrySetResult();

        public async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref started);
            await release.Task.WaitAsync(cancellationToken);
            return Enumerable.Range(0, request.N).Select(i => new GeneratedCompletion($"{request.Prompt}#{i}", "stop")).ToList();
        }

        public void Dispose() => Release();
    }

    [Fact]
    public async Task Beyond_the_running_and_waiting_limits_the_server_answers_429_and_recovers()
    {
        using var generator = new GatedGenerator();
        await using var server = await CompletionServer.StartAsync(generator, new ServerOptions { Port = 0, MaxConcurrentRequests = 1, MaxQueuedRequests = 1 });
        var client = new OpenAiProtocolClient(server.BaseAddress);
        var running = client.CompleteAsync(new { prompt = "a" });
        while (generator.Started < 1) await Task.Delay(10);
        var waiting = client.CompleteAsync(new { prompt = "b" });
        // Wait until the server holds "b" in its waiting room, so "c" cannot overtake it.
        while (server.RequestsInFlight < 2) await Task.Delay(10);
        // The third request finds one running and one waiting: refused at once.
        var (status, body) = await client.CompleteAsync(new { prompt = "c" });
        Assert.Equal(429, status);
        Assert.Equal("server_busy", (string?)body["error"]!["type"]);
        Assert.Equal(1, generator.Started);

        generator.Release();
        Assert.Equal("a#0", (string?)(await running).Body["choices"]![0]!["text"]);
        Assert.Equal("b#0", (string?)(await waiting).Body["choices"]![0]!["text"]);
        var (after, reply) = await client.CompleteAsync(new { prompt = "d", n = 2 });
        Assert.Equal(200, after);
        Assert.Equal("d#1", (string?)reply["choices"]![1]!["text"]);
        Assert.Equal(0, (int)reply["usage"]!["prompt_tokens"]!);
    }

    [Fact]
    public async Task Queued_work_is_bounded_in_tokens_not_only_in_requests()
    {
        using var generator = new GatedGenerator();
        await using var server = await CompletionServer.StartAsync(generator, new ServerOptions { Port = 0, MaxQueuedTokens = 100 });
        var client = new OpenAiProtocolClient(server.BaseAddress);
        var running = client.CompleteAsync(new { prompt = new[] { "a", "b" }, n = 2, max_tokens = 20 }); // 2 × 2 × 20 = 80 tokens
        while (generator.Started < 2) await Task.Delay(10);
        Assert.Equal(80, server.TokensInFlight);
        // 80 + 30 > 100: refused at once, though only one request is in flight.
        var (busy, busyBody) = await client.CompleteAsync(new { prompt = "c", max_tokens = 30 });
        Assert.Equal(429, busy);
        Assert.Equal("server_busy", (string?)busyBody["error"]!["type"]);
        // Larger than the limit on its own: no retry can help, so a 400.
        var (tooLarge, tooLargeBody) = await client.CompleteAsync(new { prompt = "d", n = 3, max_tokens = 40 });
        Assert.Equal(400, tooLarge);
        Assert.Equal("max_tokens", (string?)tooLargeBody["error"]!["param"]);
        Assert.Contains("120", (string?)tooLargeBody["error"]!["message"]);
        // 80 + 20 fits.
        var fits = client.CompleteAsync(new { prompt = "e", max_tokens = 20 });
        while (generator.Started < 3) await Task.Delay(10);
        generator.Release();
        Assert.Equal(200, (await running).Status);
        Assert.Equal(200, (await fits).Status);
        Assert.Equal(0, server.TokensInFlight);
    }
}
