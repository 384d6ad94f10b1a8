using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CodexSharp.Model;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;

namespace CodexSharp.Serving.Tests;

/// <summary>
/// A client that goes away takes its work with it: the rows of an aborted request leave the decoding batch (or the
/// queue) instead of being decoded to the end for nobody, so the next request does not wait behind them.
/// </summary>
public sealed class AbandonedRequestTests : IAsyncLifetime
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "codexsharp-abandoned-" + Guid.NewGuid().ToString("N"));
    private LocalModelGenerator generator = null!;
    private CompletionServer server = null!;

    public async Task InitializeAsync()
    {
        using (var model = GptModel.CreateRandom(GptPresets.Tiny, seed: 6)) LocalCheckpoint.Save(model, directory);
        generator = LocalModelGenerator.Load("local:" + directory, new LocalModelOptions { TruncateLongPrompts = false });
        server = await CompletionServer.StartAsync(generator, new ServerOptions { Port = 0 });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        generator.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Aborted_requests_leave_the_batch_and_the_queue_and_a_small_request_then_runs_alone()
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseAddress, "v1/"), Timeout = Timeout.InfiniteTimeSpan };
        // Three requests of 32 rows × 250 tokens: one decoding (a full batch), two waiting behind it.
        var aborts = Enumerable.Range(0, 3).Select(_ => new CancellationTokenSource()).ToList();
        var abandoned = aborts.Select((abort, i) => http.PostAsJsonAsync("completions", new { prompt = $"def f{i}(x):\n", n = 32, max_tokens = 250, temperature = 1.0 }, abort.Token)).ToList();
        await WaitUntil(() => generator.PendingRows == 96 && server.RequestsInFlight == 3, "all 96 rows to be queued or decoding");

        foreach (var abort in aborts) await abort.CancelAsync();
        foreach (var request in abandoned) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await WaitUntil(() => generator.PendingRows == 0 && server.RequestsInFlight == 0, "the abandoned rows to be dropped");
        Assert.Equal(96, generator.CancelledRows);
        Assert.Equal(0, server.TokensInFlight);

        var reply = await http.PostAsJsonAsync("completions", new { prompt = "x = ", max_tokens = 2, temperature = 0, logprobs = 0 });
        Assert.True(reply.IsSuccessStatusCode, await reply.Content.ReadAsStringAsync());
        var body = JsonNode.Parse(await reply.Content.ReadAsStringAsync())!;
        Assert.Equal(2, (int)body["usage"]!["completion_tokens"]!);
        Assert.Equal(96, generator.CancelledRows);
    }

    /// <summary>Polls observable state; the limit only stops a broken build from hanging the test run.</summary>
    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var limit = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!condition())
        {
            if (DateTime.UtcNow > limit) Assert.Fail($"gave up waiting for {what}");
            await Task.Delay(10);
        }
    }
}
