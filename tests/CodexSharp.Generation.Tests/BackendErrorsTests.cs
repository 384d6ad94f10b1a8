using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Tests;

/// <summary>The one classification of backend errors: what is retried, what fails one task, what is the user's to fix.</summary>
public sealed class BackendErrorsTests
{
    private static Exception Classify(int status, string body) =>
        BackendErrors.FromStatus(new BackendErrors.HttpFailure("http://s/v1/completions", "m", status, body));

    private static string OpenAIError(string message, string? code = null, string? param = null) =>
        new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = param, ["code"] = code } }.ToJsonString();

    [Theory]
    [InlineData(429, BackendFaultKind.Transient)]
    [InlineData(408, BackendFaultKind.Transient)]
    [InlineData(500, BackendFaultKind.Transient)]
    [InlineData(503, BackendFaultKind.Transient)]
    [InlineData(405, BackendFaultKind.Permanent)]
    [InlineData(409, BackendFaultKind.Permanent)]
    public void Statuses_map_to_kinds(int status, BackendFaultKind kind) =>
        Assert.Equal(kind, Assert.IsType<GenerationBackendException>(Classify(status, OpenAIError("x"))).Kind);

    [Theory]
    [InlineData("This model's maximum context length is 2048 tokens. However, you requested 2100 tokens.", "context_length_exceeded", "messages")] // OpenAI
    [InlineData("This model's maximum context length is 2048 tokens. However, you requested 2100 tokens (1800 in the messages, 300 in the completion).", null, null)] // vLLM
    [InlineData("the request exceeds the available context size, try increasing it", null, null)] // llama.cpp
    [InlineData("the prompt is 300 tokens but the model's context is 256; shorten the prompt", null, "prompt")] // codexsharp serve
    [InlineData("Input validation error: something about this input", null, null)] // a 400 naming no parameter
    public void A_400_about_the_request_content_rejects_that_request_only(string message, string? code, string? param)
    {
        var error = Assert.IsType<GenerationBackendException>(Classify(400, OpenAIError(message, code, param)));
        Assert.Equal(BackendFaultKind.RequestRejected, error.Kind);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_400_naming_a_sampling_parameter_is_the_users_to_fix()
    {
        var error = Assert.IsType<UserInputException>(Classify(400, OpenAIError("temperature must be between 0 and 2.", "invalid_value", "temperature")));
        Assert.Contains("refuses the request's 'temperature'", error.Message);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void A_refused_key_is_the_users_to_fix(int status) =>
        Assert.Contains("API key was refused", Assert.IsType<UserInputException>(Classify(status, OpenAIError("Incorrect API key provided."))).Message);

    [Theory]
    [InlineData(404, "The model `m` does not exist.", "model_not_found")]
    [InlineData(400, "model 'm' not found", null)]
    public void An_unknown_model_is_the_users_to_fix(int status, string message, string? code) =>
        Assert.Contains("does not serve a model called 'm'", Assert.IsType<UserInputException>(Classify(status, OpenAIError(message, code))).Message);

    [Fact]
    public void A_404_without_a_model_message_points_at_the_url() =>
        Assert.Contains("check the server's URL", Assert.IsType<UserInputException>(Classify(404, "Not Found")).Message);

    [Theory]
    [InlineData("http://h:1", "http://h:1/v1")]
    [InlineData("http://h:1/", "http://h:1/v1")]
    [InlineData("http://h:1/v1/", "http://h:1/v1")]
    [InlineData("http://h:1/v1/completions", "http://h:1/v1")]
    [InlineData("http://h:1/v1/chat/completions", "http://h:1/v1")]
    [InlineData("http://h:1/v1/models", "http://h:1/v1")]
    [InlineData("http://h:1/proxy", "http://h:1/proxy/v1")]
    public void Base_urls_normalise_to_v1(string given, string expected)
    {
        Assert.Equal(new Uri(expected), OpenAIBaseUrl.Normalize(new Uri(given)));
        Assert.Equal(new Uri(expected + "/models"), OpenAIBaseUrl.Endpoint(new Uri(given), "models"));
        Assert.Equal(new Uri(expected), ModelSpec.Parse($"openai:m@{given}").Endpoint);
    }
}
