using CodexSharp.Core;
using CodexSharp.Core.Generation;

namespace CodexSharp.Generation.Tests;

public sealed class ModelSpecTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void OpenAI_with_url_names_model_and_endpoint()
    {
        var spec = ModelSpec.Parse("openai:Qwen/Qwen2.5-Coder-1.5B@http://127.0.0.1:8000/v1", NoEnvironment);
        Assert.Equal(ModelSpecKind.OpenAICompletions, spec.Kind);
        Assert.Equal("Qwen/Qwen2.5-Coder-1.5B", spec.Model);
        Assert.Equal(new Uri("http://127.0.0.1:8000/v1"), spec.Endpoint);
    }

    [Fact]
    public void OpenAI_without_url_uses_openai_api()
    {
        var spec = ModelSpec.Parse("openai:gpt-3.5-turbo-instruct", NoEnvironment);
        Assert.Equal(ModelSpec.OpenAIEndpoint, spec.Endpoint);
        Assert.Equal("gpt-3.5-turbo-instruct", spec.Model);
    }

    [Fact]
    public void Ollama_tags_keep_their_colons_and_default_to_local_ollama()
    {
        var spec = ModelSpec.Parse("ollama:qwen2.5-coder:7b", NoEnvironment);
        Assert.Equal(ModelSpecKind.Ollama, spec.Kind);
        Assert.Equal("qwen2.5-coder:7b", spec.Model);
        Assert.Equal(new Uri("http://127.0.0.1:11434/v1"), spec.Endpoint);
    }

    [Fact]
    public void Ollama_host_comes_from_OLLAMA_HOST()
    {
        var spec = ModelSpec.Parse("ollama:llama3", name => name == "OLLAMA_HOST" ? "gpu-box:11434" : null);
        Assert.Equal(new Uri("http://gpu-box:11434/v1"), spec.Endpoint);
    }

    [Fact]
    public void Chat_with_url_and_at_sign_in_model_name()
    {
        var spec = ModelSpec.Parse("chat:team@model@https://example.test/v1", NoEnvironment);
        Assert.Equal(ModelSpecKind.Chat, spec.Kind);
        Assert.Equal("team@model", spec.Model);
        Assert.Equal("example.test", spec.Endpoint!.Host);
    }

    [Theory]
    [InlineData("local:runs/tiny", ModelSpecKind.Local, "runs/tiny")]
    [InlineData("hf:/models/gpt2", ModelSpecKind.HuggingFace, "/models/gpt2")]
    [InlineData("LOCAL:dir", ModelSpecKind.Local, "dir")]
    public void Local_kinds_name_a_folder(string text, ModelSpecKind kind, string folder)
    {
        var spec = ModelSpec.Parse(text, NoEnvironment);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(folder, spec.Model);
        Assert.Null(spec.Endpoint);
        Assert.True(spec.IsLocal);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("gpt-4", "has no backend prefix")]
    [InlineData("vllm:foo", "unknown backend 'vllm'")]
    [InlineData("openai:", "gives no model name")]
    [InlineData("openai:@http://127.0.0.1:8000", "gives no model name")]
    [InlineData("openai:m@", "gives no URL")]
    [InlineData("openai:m@localhost:8000", "not an http:// or https:// URL")]
    [InlineData("local:", "gives no folder")]
    [InlineData("http://127.0.0.1:8000/v1", "is a URL")]
    public void Bad_specs_say_what_is_wrong_and_what_is_expected(string text, string problem)
    {
        var error = Assert.Throws<ConfigException>(() => ModelSpec.Parse(text, NoEnvironment));
        Assert.Equal("model", error.Field);
        Assert.Contains(problem, error.Reason);
        Assert.Contains("openai:MODEL@URL", error.Reason);
    }
}
