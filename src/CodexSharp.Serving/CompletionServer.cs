using System.Text.Json;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodexSharp.Serving;

/// <summary>
/// An OpenAI-compatible HTTP server over any <see cref="ICodeGenerator"/>: <c>POST /v1/completions</c> and
/// <c>GET /v1/models</c>. Requests run concurrently up to a limit so that a batching generator can merge them;
/// beyond the waiting-room size, or beyond <see cref="ServerOptions.MaxQueuedTokens"/> of work, the server answers 429
/// instead of queueing without bound. A client that disconnects cancels its request: the generator is handed
/// <see cref="HttpContext.RequestAborted"/> and drops the request's work.
/// </summary>
public sealed class CompletionServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly RequestAdmission admission;

    private CompletionServer(WebApplication app, RequestAdmission admission, Uri baseAddress)
    {
        this.app = app;
        this.admission = admission;
        BaseAddress = baseAddress;
    }

    /// <summary>Completion requests admitted and not yet answered (running plus waiting for a slot).</summary>
    public int RequestsInFlight => admission.InFlight;

    /// <summary>New tokens (prompts × n × max_tokens) asked for by the admitted requests not yet answered.</summary>
    public long TokensInFlight => admission.TokensInFlight;

    /// <summary>The server's root, e.g. http://127.0.0.1:8000/ (the OpenAI base URL is this + "v1").</summary>
    public Uri BaseAddress { get; }

    /// <exception cref="IOException">The address is in use.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The address belongs to no interface here.</exception>
    public static async Task<CompletionServer> StartAsync(ICodeGenerator generator, ServerOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        // A failed start (port in use, no such address) reaches the caller as an exception; the host's own log entry
        // would print its stack trace too.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        var app = builder.Build();
        var admission = new RequestAdmission(options.MaxConcurrentRequests, options.MaxQueuedRequests, options.MaxQueuedTokens);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var endpoints = new CompletionEndpoints(generator, options, admission, created);
        app.MapPost("/v1/completions", (Delegate)endpoints.CompleteAsync);
        app.MapGet("/v1/models", () => Results.Json(new CompletionResponses.ModelList("list", [endpoints.ModelCard])));
        app.MapGet("/v1/models/{**id}", (string id) => id == endpoints.ServedName
            ? Results.Json(endpoints.ModelCard)
            : Results.Json(ApiErrorException.ModelNotFound(id, endpoints.ServedName).ToBody(), statusCode: 404));
        app.MapGet("/health", () => Results.Text("ok"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CompletionServer(app, admission, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then stops gracefully.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        admission.Dispose();
    }
}

/// <summary>The completion handler: parse, admit, generate every prompt concurrently, answer in OpenAI's shape.</summary>
internal sealed class CompletionEndpoints(ICodeGenerator generator, ServerOptions options, RequestAdmission admission, long created)
{
    /// <summary>The name clients use for the model: <see cref="ServerOptions.ServedModelName"/>, else the generator's own.</summary>
    public string ServedName { get; } = options.ServedModelName ?? generator.ModelName;

    public CompletionResponses.ModelCard ModelCard => new(ServedName, "model", created, "codexsharp");

    public async Task<IResult> CompleteAsync(HttpContext context)
    {
        try
        {
            ParsedCompletionRequest request;
            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                request = CompletionRequestParser.Parse(body.RootElement, options);
            }
            catch (JsonException e)
            {
                throw ApiErrorException.Invalid("body", $"the request body is not valid JSON: {e.Message}");
            }
            if (request.Model is not null && request.Model != ServedName) throw ApiErrorException.ModelNotFound(request.Model, ServedName);
            CheckContext(request);
            var work = (long)request.Prompts.Count * request.N * request.Sampling.MaxTokens;
            using var slot = await admission.EnterAsync(work, context.RequestAborted);
            var generations = request.Prompts
                .Select(prompt => generator.GenerateAsync(new CompletionRequest(prompt, request.N, request.Sampling), context.RequestAborted))
                .ToList();
            var results = await Task.WhenAll(generations);
            return Results.Json(BuildResponse(request, results));
        }
        catch (ApiErrorException e)
        {
            return Results.Json(e.ToBody(), statusCode: e.Status);
        }
        catch (UserInputException e)
        {
            return Results.Json(ApiErrorException.Invalid("prompt", e.Message).ToBody(), statusCode: 400);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e)
        {
            return Results.Json(new ApiErrorException(500, "server_error", $"generation failed: {e.Message}").ToBody(), statusCode: 500);
        }
    }

    /// <summary>A prompt must leave the context at least one position for the completion.</summary>
    private void CheckContext(ParsedCompletionRequest request)
    {
        if (options.ContextTokens is not { } contextTokens || generator is not ITokenCounter counter) return;
        foreach (var prompt in request.Prompts)
        {
            var tokens = counter.CountTokens(prompt);
            if (tokens >= contextTokens)
            {
                throw ApiErrorException.Invalid("prompt",
                    $"This model's maximum context length is {contextTokens} tokens, but the prompt is {tokens} tokens, which leaves no room for the completion. Please shorten the prompt.",
                    "context_length_exceeded");
            }
        }
    }

    private CompletionResponses.Completion BuildResponse(ParsedCompletionRequest request, IReadOnlyList<GeneratedCompletion>[] results)
    {
        var counter = generator as ITokenCounter;
        var choices = new List<CompletionResponses.Choice>();
        var completionTokens = 0;
        for (var p = 0; p < results.Length; p++)
        {
            for (var i = 0; i < results[p].Count; i++)
            {
                var completion = results[p][i];
                completionTokens += completion.Tokens?.Count ?? counter?.CountTokens(completion.Text) ?? 0;
                var logProbs = request.LogProbs is not null && completion.Tokens is not null
                    ? CompletionResponses.ToLogProbs(completion.Tokens, 0)
                    : null;
                choices.Add(new CompletionResponses.Choice(completion.Text, p * request.N + i, logProbs, completion.FinishReason));
            }
        }
        var promptTokens = counter is null ? 0 : request.Prompts.Sum(counter.CountTokens);
        return new CompletionResponses.Completion(
            "cmpl-" + Guid.NewGuid().ToString("N"), "text_completion", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ServedName, choices,
            new CompletionResponses.Usage(promptTokens, completionTokens, promptTokens + completionTokens));
    }
}
