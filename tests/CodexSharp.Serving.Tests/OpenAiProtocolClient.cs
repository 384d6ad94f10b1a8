using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI;

namespace CodexSharp.Serving.Tests;

/// <summary>
/// The OpenAI .NET SDK pointed at our server. The SDK has no typed client for the legacy completions endpoint, so
/// completions go through its own client pipeline (authentication, retries, transport) as raw protocol calls.
/// </summary>
internal sealed class OpenAiProtocolClient(Uri serverRoot)
{
    public OpenAIClient Client { get; } = new(new ApiKeyCredential("not-checked"), new OpenAIClientOptions
    {
        Endpoint = new Uri(serverRoot, "v1"),
        NetworkTimeout = TimeSpan.FromMinutes(5),
        // A 429 or 400 is the answer under test: no retries.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    public async Task<(int Status, JsonNode Body)> CompleteAsync(object request) =>
        await PostAsync(BinaryData.FromObjectAsJson(request));

    public async Task<(int Status, JsonNode Body)> PostAsync(BinaryData body)
    {
        var pipeline = Client.GetOpenAIModelClient().Pipeline;
        using var message = pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri(serverRoot, "v1/completions");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(body);
        // 4xx/5xx are answers under test here, not failures to retry.
        message.ResponseClassifier = PipelineMessageClassifier.Create([200, 400, 404, 429, 500]);
        await pipeline.SendAsync(message);
        var response = message.Response!;
        return (response.Status, JsonNode.Parse(response.Content.ToString())!);
    }

    public static string Json(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
