using System.Net;
using System.Net.Sockets;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Completions;
using CodexSharp.Generation.Resilience;
using CodexSharp.Generation.Specs;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests;

/// <summary>The completions backend against a real HTTP server on 127.0.0.1 that misbehaves on purpose.</summary>
public sealed class CompletionsServerTests
{
    private static readonly RetryOptions FastRetry = new() { MaxRetries = 4, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) };

    private static CompletionRequest Request(int n) => new("def f():\n", n, new SamplingOptions { Seed = 100 });

    private static ICodeGenerator Open(ScriptedModelServer server, string? model = null, string? key = null, Action<string>? notice = null, List<RetryNotice>? retries = null, BackendSettings? settings = null)
    {
        var factory = new CodeGeneratorFactory(environment: name => name == "OPENAI_API_KEY" ? key : null, notice: notice, onRetry: r => retries?.Add(r));
        return factory.Create(ModelSpec.Parse($"openai:{model ?? server.ModelName}@{server.BaseUrl}"), settings ?? new BackendSettings { Retry = FastRetry });
    }

    [Fact]
    public async Task Asks_for_n_choices_with_the_paper_protocol_and_reads_logprobs()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        using var generator = Open(server);
        var completions = await generator.GenerateAsync(Request(3));
        Assert.Equal(["    return 0\n\ndef unrelated():\n    pass\n", "    return 1\n\ndef unrelated():\n    pass\n", "    return 2\n\ndef unrelated():\n    pass\n"], completions.Select(c => c.Text));
        Assert.All(completions, c => Assert.Equal(-0.25, c.Tokens![0].LogProb));
        var body = Assert.Single(server.Received);
        Assert.Equal(3, body["n"]!.GetValue<int>());
        Assert.Equal(0.95, body["top_p"]!.GetValue<double>());
        Assert.Equal(["\nclass", "\ndef", "\n#", "\nif", "\nprint"], body["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(1, body["logprobs"]!.GetValue<int>());
        Assert.Equal(100, body["seed"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_known_cap_splits_n_over_requests_with_distinct_seeds()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        using var generator = Open(server, settings: new BackendSettings { Retry = FastRetry, MaxChoicesPerRequest = 2 });
        var completions = await generator.GenerateAsync(Request(5));
        Assert.Equal(5, completions.Count);
        Assert.Equal([2, 2, 1], server.Received.Select(b => b["n"]!.GetValue<int>()));
        Assert.Equal([100L, 102L, 104L], server.Received.Select(b => b["seed"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_server_that_returns_fewer_choices_than_asked_is_asked_again_and_its_cap_learned()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.MaxChoices = 1);
        var notices = new List<string>();
        using var generator = Open(server, notice: notices.Add);
        Assert.Equal(3, (await generator.GenerateAsync(Request(3))).Count);
        Assert.Equal(2, (await generator.GenerateAsync(Request(2))).Count);
        Assert.Equal([3, 1, 1, 1, 1], server.Received.Select(b => b["n"]!.GetValue<int>()));
        Assert.Contains("returned 1 of 3 choices", Assert.Single(notices));
    }

    [Fact]
    public async Task Transient_faults_are_retried_until_an_answer_comes()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        foreach (var fault in (Fault[])[Fault.Status500, Fault.Status429, Fault.DropConnection, Fault.MalformedJson]) server.Faults.Enqueue(fault);
        var retries = new List<RetryNotice>();
        using var generator = Open(server, retries: retries);
        Assert.Equal(2, (await generator.GenerateAsync(Request(2))).Count);
        Assert.Equal(5, server.RequestCount);
        Assert.Equal(4, retries.Count);
        Assert.Contains(retries, r => r.Reason.Contains("HTTP 429"));
        Assert.Contains(retries, r => r.Reason.Contains("not valid JSON"));
    }

    [Fact]
    public async Task A_slow_answer_times_out_and_is_retried()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.SlowDelay = TimeSpan.FromSeconds(30));
        server.Faults.Enqueue(Fault.Slow);
        var retries = new List<RetryNotice>();
        using var generator = Open(server, retries: retries, settings: new BackendSettings { Retry = FastRetry, RequestTimeout = TimeSpan.FromMilliseconds(500) });
        Assert.Single(await generator.GenerateAsync(Request(1)));
        Assert.Contains("did not answer within 0.5 s", Assert.Single(retries).Reason);
    }

    [Fact]
    public async Task Persistent_server_errors_give_up_with_the_server_message()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        for (var i = 0; i < 10; i++) server.Faults.Enqueue(Fault.Status500);
        using var generator = Open(server);
        var error = await Assert.ThrowsAsync<GenerationBackendException>(() => generator.GenerateAsync(Request(1)));
        Assert.Contains("HTTP 500: internal error", error.Message);
        Assert.Contains("gave up after 5 attempts", error.Message);
        Assert.Equal(BackendFaultKind.RetriesExhausted, error.Kind);
    }

    [Fact]
    public async Task A_refused_key_is_a_user_error_and_is_not_retried()
    {
        await using var server = await ScriptedModelServer.StartAsync(requiredKey: "sk-right");
        using var generator = Open(server, key: "sk-wrong");
        var error = await Assert.ThrowsAsync<UserInputException>(() => generator.GenerateAsync(Request(1)));
        Assert.Contains("HTTP 401", error.Message);
        Assert.Contains("API key was refused", error.Message);
        Assert.DoesNotContain("sk-wrong", error.Message);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task The_key_comes_from_the_environment_as_a_bearer_token()
    {
        await using var server = await ScriptedModelServer.StartAsync(requiredKey: "sk-right");
        using var generator = Open(server, key: "sk-right");
        Assert.Single(await generator.GenerateAsync(Request(1)));
        Assert.Equal("Bearer sk-right", Assert.Single(server.AuthorizationHeaders));
    }

    [Fact]
    public async Task A_wrong_model_name_is_a_user_error_naming_the_model()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        using var generator = Open(server, model: "no-such-model");
        var error = await Assert.ThrowsAsync<UserInputException>(() => generator.GenerateAsync(Request(1)));
        Assert.Contains("does not serve a model called 'no-such-model'", error.Message);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_after_retries()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var factory = new CodeGeneratorFactory(environment: _ => null);
        using var generator = factory.Create(ModelSpec.Parse($"openai:m@http://127.0.0.1:{port}/v1"), new BackendSettings { Retry = FastRetry with { MaxRetries = 1 } });
        var error = await Assert.ThrowsAsync<GenerationBackendException>(() => generator.GenerateAsync(Request(1)));
        Assert.Contains($"cannot reach http://127.0.0.1:{port}/v1/completions: connection refused", error.Message);
    }

    [Fact]
    public void OpenAI_itself_needs_a_key_and_gets_its_caps()
    {
        var spec = ModelSpec.Parse("openai:gpt-3.5-turbo-instruct");
        var error = Assert.Throws<UserInputException>(() => new CodeGeneratorFactory(environment: _ => null).Create(spec, new BackendSettings { ApiKeyVariable = "MY_KEY" }));
        Assert.Contains("set the environment variable MY_KEY", error.Message);
        var options = CodeGeneratorFactory.CompletionsOptions(spec, new BackendSettings());
        Assert.Equal(128, options.MaxChoicesPerRequest);
        Assert.Equal(4, options.MaxStopSequences);
        Assert.Equal(new Uri("https://api.openai.com/v1/completions"), options.CompletionsUrl);
    }

    [Fact]
    public async Task A_model_the_server_does_not_list_is_warned_about_before_the_run()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        var factory = new CodeGeneratorFactory(environment: _ => null);
        var warning = await factory.CheckServedModelAsync(ModelSpec.Parse($"openai:other@{server.BaseUrl}"), new BackendSettings());
        Assert.Contains($"lists {server.ModelName}, not 'other'", warning);
        Assert.Null(await factory.CheckServedModelAsync(ModelSpec.Parse($"chat:{server.ModelName}@{server.BaseUrl}"), new BackendSettings()));
        Assert.Null(await factory.CheckServedModelAsync(ModelSpec.Parse("openai:m@http://127.0.0.1:1/v1"), new BackendSettings()));
    }

    [Theory]
    [InlineData("http://h:1", "http://h:1/v1/completions")]
    [InlineData("http://h:1/v1", "http://h:1/v1/completions")]
    [InlineData("http://h:1/v1/", "http://h:1/v1/completions")]
    [InlineData("http://h:1/proxy/v1/completions", "http://h:1/proxy/v1/completions")]
    public void The_completions_url_is_derived_from_the_base(string endpoint, string url)
    {
        var options = new OpenAICompletionsOptions { Endpoint = new Uri(endpoint), Model = "m" };
        Assert.Equal(new Uri(url), options.CompletionsUrl);
    }
}
