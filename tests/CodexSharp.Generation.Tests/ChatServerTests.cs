using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Resilience;
using CodexSharp.Generation.Specs;
using CodexSharp.Generation.Tests.Fixtures;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests;

/// <summary>The chat backend (Microsoft.Extensions.AI over the OpenAI client) against a real loopback server.</summary>
public sealed class ChatServerTests
{
    private static readonly BackendSettings Settings = new() { Retry = new RetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10) } };

    private const string Reply = "Sure! Here's an implementation:\n\n```python\ndef add(a: int, b: int) -> int:\n    \"\"\"Add.\"\"\"\n    return a + b\n```\n\nIt returns the sum.";

    [Fact]
    public async Task Chat_spec_asks_with_the_instruction_template_and_extracts_the_body()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.ChatReply = _ => Reply);
        Assert.True(TinyProblems.Load().TryGet("Tiny/0", out var problem));
        using var generator = new CodeGeneratorFactory(environment: _ => null).Create(ModelSpec.Parse($"chat:{server.ModelName}@{server.BaseUrl}"), Settings);
        var completions = await generator.GenerateAsync(new CompletionRequest(problem.Prompt, 2, new SamplingOptions { Temperature = 0.2, Seed = 9 }));

        Assert.Equal(2, completions.Count);
        Assert.All(completions, c => Assert.Equal("    return a + b\n", c.Text));
        Assert.All(completions, c => Assert.Equal(Reply, c.RawText));
        Assert.Equal(0, TinyProblems.RunPython(problem.ProgramFor(completions[0].Text)).ExitCode);
        Assert.Equal(2, server.RequestCount);
        var body = server.Received.First();
        var messages = body["messages"]!.AsArray();
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Contains(problem.Prompt.TrimEnd('\n'), messages[1]!["content"]!.GetValue<string>());
        Assert.Equal(0.2, body["temperature"]!.GetValue<double>(), 6);
        Assert.Equal([9L, 10L], server.Received.Select(b => b["seed"]!.GetValue<long>()));
        // No key was set, so none is sent (not a placeholder).
        Assert.All(server.AuthorizationHeaders, h => Assert.Null(h));
    }

    [Fact]
    public async Task A_chat_key_from_the_environment_is_sent_as_a_bearer_token()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.ChatReply = _ => Reply);
        using var generator = new CodeGeneratorFactory(environment: name => name == "OPENAI_API_KEY" ? "sk-chat" : null)
            .Create(ModelSpec.Parse($"chat:{server.ModelName}@{server.BaseUrl}"), Settings);
        Assert.Single(await generator.GenerateAsync(new CompletionRequest("def f():\n", 1, new SamplingOptions())));
        Assert.Equal("Bearer sk-chat", Assert.Single(server.AuthorizationHeaders));
    }

    [Fact]
    public async Task Ollama_spec_reaches_the_host_in_OLLAMA_HOST()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.ChatReply = _ => Reply);
        var host = $"127.0.0.1:{server.BaseUrl.Port}";
        var spec = ModelSpec.Parse($"ollama:{server.ModelName}", name => name == "OLLAMA_HOST" ? host : null);
        using var generator = new CodeGeneratorFactory(environment: _ => null).Create(spec, Settings);
        var completion = Assert.Single(await generator.GenerateAsync(new CompletionRequest("def add(a, b):\n", 1, new SamplingOptions())));
        Assert.Equal("    return a + b\n", completion.Text);
    }

    [Fact]
    public async Task Chat_faults_are_retried_and_a_wrong_model_is_a_user_error()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.ChatReply = _ => Reply);
        server.Faults.Enqueue(Fault.Status500);
        server.Faults.Enqueue(Fault.Status429);
        var factory = new CodeGeneratorFactory(environment: _ => null);
        using (var generator = factory.Create(ModelSpec.Parse($"chat:{server.ModelName}@{server.BaseUrl}"), Settings))
        {
            Assert.Single(await generator.GenerateAsync(new CompletionRequest("def add(a, b):\n", 1, new SamplingOptions())));
            Assert.Equal(3, server.RequestCount);
        }
        using var wrong = factory.Create(ModelSpec.Parse($"chat:nope@{server.BaseUrl}"), Settings);
        var error = await Assert.ThrowsAsync<UserInputException>(() => wrong.GenerateAsync(new CompletionRequest("def add(a, b):\n", 1, new SamplingOptions())));
        Assert.Contains("HTTP 404", error.Message);
        Assert.Contains("'nope'", error.Message);
    }

    [Fact]
    public async Task A_chat_prompt_too_long_for_the_model_rejects_that_request_only_without_retries()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => { s.ChatReply = _ => Reply; s.MaxPromptChars = 50; });
        using var generator = new CodeGeneratorFactory(environment: _ => null).Create(ModelSpec.Parse($"chat:{server.ModelName}@{server.BaseUrl}"), Settings);
        var error = await Assert.ThrowsAsync<GenerationBackendException>(() => generator.GenerateAsync(new CompletionRequest("def add(a, b):\n", 1, new SamplingOptions())));
        Assert.Equal(BackendFaultKind.RequestRejected, error.Kind);
        Assert.Contains("HTTP 400: This model's maximum context length is 50 tokens", error.Message);
        Assert.Equal(1, server.RequestCount);
    }
}
