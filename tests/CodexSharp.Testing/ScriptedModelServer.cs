using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodexSharp.Testing;

/// <summary>What the server does to one request instead of answering it well.</summary>
public enum Fault
{
    Status500,
    Status429,
    DropConnection,
    Slow,
    MalformedJson,
    OneChoiceOnly,
    Hang,
    /// <summary>HTTP 400 naming the temperature, as a server that refuses a sampling parameter answers.</summary>
    BadTemperature,
    /// <summary>HTTP 405: a permanent refusal that is no one parameter's fault.</summary>
    Status405,
}

/// <summary>
/// A real OpenAI-compatible HTTP server on 127.0.0.1 (Kestrel) that answers /v1/completions and
/// /v1/chat/completions with scripted text, and misbehaves on purpose: faults queued in <see cref="Faults"/>
/// apply to the next requests in order; <see cref="MaxChoices"/> caps n like llama.cpp's server.
/// </summary>
public sealed class ScriptedModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();

    private ScriptedModelServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public string ModelName { get; init; } = "tiny-code";

    /// <summary>Bearer token the server insists on; null accepts anything.</summary>
    public string? RequiredKey { get; init; }

    /// <summary>Most choices one response carries, silently (as llama.cpp does); null: as many as asked.</summary>
    public int? MaxChoices { get; set; }

    /// <summary>How long a <see cref="Fault.Slow"/> request takes.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Prompts longer than this many characters are refused with HTTP 400 <c>context_length_exceeded</c>, as
    /// OpenAI and vLLM refuse a prompt longer than the model's context; null: no limit.</summary>
    public int? MaxPromptChars { get; set; }

    /// <summary>The completion text for a prompt and a choice number.</summary>
    public Func<string, int, string> CompletionText { get; set; } = (_, i) => $"    return {i}\n\ndef unrelated():\n    pass\n";

    /// <summary>The chat reply for a user message.</summary>
    public Func<string, string> ChatReply { get; set; } = _ => "Here you go:\n\n```python\ndef f(x):\n    return x + 1\n```\n";

    public ConcurrentQueue<Fault> Faults { get; } = new();

    public ConcurrentQueue<JsonObject> Received { get; } = new();

    public ConcurrentQueue<string?> AuthorizationHeaders { get; } = new();

    public int RequestCount => Received.Count;

    public static async Task<ScriptedModelServer> StartAsync(Action<ScriptedModelServer>? configure = null, int port = 0, string? model = null, string? requiredKey = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new ScriptedModelServer(app) { ModelName = model ?? "tiny-code", RequiredKey = requiredKey };
        configure?.Invoke(server);
        app.MapPost("/v1/completions", server.CompletionsAsync);
        app.MapPost("/v1/chat/completions", server.ChatAsync);
        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = server.ModelName, @object = "model" } } }));
        await app.StartAsync();
        var address = app.Urls.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync(TimeSpan.FromSeconds(1));
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task CompletionsAsync(HttpContext context)
    {
        var body = await ReadAsync(context);
        if (body is null || !await PassesChecksAsync(context, body)) return;
        var (handled, fault) = await ApplyFaultAsync(context);
        if (handled) return;
        var prompt = body["prompt"]?.GetValue<string>() ?? "";
        if (MaxPromptChars is { } most && prompt.Length > most)
        {
            var message = $"This model's maximum context length is {most} tokens. However, your prompt has {prompt.Length} tokens. Please reduce the length of the prompt.";
            await WriteJsonAsync(context, 400, Error(message, "context_length_exceeded", "prompt"));
            return;
        }
        var n = body["n"]?.GetValue<int>() ?? 1;
        if (fault == Fault.OneChoiceOnly) n = 1;
        if (MaxChoices is { } cap) n = Math.Min(n, cap);
        var wantLogprobs = body["logprobs"] is not null;
        var choices = new JsonArray();
        for (var i = 0; i < n; i++)
        {
            var text = CompletionText(prompt, i);
            var choice = new JsonObject { ["index"] = i, ["text"] = text, ["finish_reason"] = "stop" };
            choice["logprobs"] = wantLogprobs ? LogProbs(text) : null;
            choices.Add(choice);
        }
        await WriteJsonAsync(context, 200, new JsonObject { ["id"] = "cmpl-1", ["object"] = "text_completion", ["model"] = ModelName, ["choices"] = choices });
    }

    private async Task ChatAsync(HttpContext context)
    {
        var body = await ReadAsync(context);
        if (body is null || !await PassesChecksAsync(context, body)) return;
        if ((await ApplyFaultAsync(context)).Handled) return;
        var user = body["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
        if (MaxPromptChars is { } most && user.Length > most)
        {
            var refusal = $"This model's maximum context length is {most} tokens. However, your messages resulted in {user.Length} tokens.";
            await WriteJsonAsync(context, 400, Error(refusal, "context_length_exceeded", "messages"));
            return;
        }
        var reply = ChatReply(user);
        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply };
        var response = new JsonObject
        {
            ["id"] = "chatcmpl-1",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = ModelName,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = "stop" }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 10, ["total_tokens"] = 20 },
        };
        await WriteJsonAsync(context, 200, response);
    }

    private async Task<JsonObject?> ReadAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = JsonNode.Parse(await reader.ReadToEndAsync()) as JsonObject ?? new JsonObject();
        Received.Enqueue(body);
        AuthorizationHeaders.Enqueue(context.Request.Headers.Authorization.FirstOrDefault());
        return body;
    }

    private async Task<bool> PassesChecksAsync(HttpContext context, JsonObject body)
    {
        if (RequiredKey is not null && context.Request.Headers.Authorization.FirstOrDefault() != "Bearer " + RequiredKey)
        {
            await WriteJsonAsync(context, 401, Error("Incorrect API key provided.", "invalid_api_key"));
            return false;
        }
        var model = body["model"]?.GetValue<string>();
        if (model != ModelName)
        {
            await WriteJsonAsync(context, 404, Error($"The model `{model}` does not exist.", "model_not_found"));
            return false;
        }
        return true;
    }

    /// <summary>Applies the next queued fault: Handled when the request got its (bad) answer, else the fault that shapes a normal answer.</summary>
    private async Task<(bool Handled, Fault? Fault)> ApplyFaultAsync(HttpContext context)
    {
        if (!Faults.TryDequeue(out var fault)) return (false, null);
        switch (fault)
        {
            case Fault.Status500:
                await WriteJsonAsync(context, 500, Error("internal error", "server_error"));
                return (true, fault);
            case Fault.Status429:
                context.Response.Headers.RetryAfter = "0";
                await WriteJsonAsync(context, 429, Error("Rate limit reached, retry later.", "rate_limit_exceeded"));
                return (true, fault);
            case Fault.DropConnection:
                context.Abort();
                return (true, fault);
            case Fault.Slow:
                await Task.Delay(SlowDelay, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                return (false, fault);
            case Fault.MalformedJson:
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"choices\": [{\"text\": \"    return 1");
                return (true, fault);
            case Fault.BadTemperature:
                await WriteJsonAsync(context, 400, Error("temperature must be between 0 and 2.", "invalid_value", "temperature"));
                return (true, fault);
            case Fault.Status405:
                await WriteJsonAsync(context, 405, Error("Method not allowed.", "method_not_allowed"));
                return (true, fault);
            case Fault.Hang:
                await Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                context.Abort();
                return (true, fault);
            default:
                return (false, fault);
        }
    }

    private static JsonObject LogProbs(string text)
    {
        var tokens = new JsonArray();
        var values = new JsonArray();
        var offsets = new JsonArray();
        for (var at = 0; at < text.Length; at += 4)
        {
            tokens.Add(text.Substring(at, Math.Min(4, text.Length - at)));
            values.Add(-0.25);
            offsets.Add(at);
        }
        return new JsonObject { ["tokens"] = tokens, ["token_logprobs"] = values, ["text_offset"] = offsets };
    }

    private static JsonObject Error(string message, string code, string? param = null) =>
        new() { ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = param, ["code"] = code } };

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
