using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Resilience;
using CodexSharp.Generation.Specs;

namespace CodexSharp.Generation.Tests;

/// <summary>The generate stage's config checks every field and names the one that is wrong.</summary>
public sealed class GenerationConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GenerationConfig Valid => new() { Model = ModelSpec.Parse("openai:m@http://127.0.0.1:9/v1"), SamplesPath = Path.Combine(_dir, "s.jsonl") };

    [Fact]
    public void Defaults_are_valid_and_follow_the_paper()
    {
        var config = Valid.Validated();
        Assert.Equal(0.95, config.Sampling.TopP);
        Assert.Equal(StopSequences.Paper, config.Sampling.Stop);
        Assert.Equal(0.2, GenerationConfig.DefaultTemperature(10));
        Assert.Equal(0.8, GenerationConfig.DefaultTemperature(200));
        Assert.False(File.Exists(config.SamplesPath));
        Assert.Empty(Directory.GetFileSystemEntries(_dir)); // the write check leaves nothing behind
    }

    public static TheoryData<string, Func<GenerationConfig, GenerationConfig>> BadFields => new()
    {
        { "samples_per_task", c => c with { SamplesPerTask = 0 } },
        { "limit", c => c with { Limit = 0 } },
        { "concurrency", c => c with { Concurrency = 0 } },
        { "samples_per_request", c => c with { SamplesPerRequest = -1 } },
        { "temperature", c => c with { Sampling = c.Sampling with { Temperature = double.NaN } } },
        { "top_p", c => c with { Sampling = c.Sampling with { TopP = 0 } } },
        { "top_k", c => c with { Sampling = c.Sampling with { TopK = 0 } } },
        { "max_tokens", c => c with { Sampling = c.Sampling with { MaxTokens = 0 } } },
        { "api_key_env", c => c with { Backend = c.Backend with { ApiKeyVariable = " " } } },
        { "request_timeout", c => c with { Backend = c.Backend with { RequestTimeout = TimeSpan.Zero } } },
        { "retries", c => c with { Backend = c.Backend with { Retry = new RetryOptions { MaxRetries = -1 } } } },
        { "requests_per_minute", c => c with { Backend = c.Backend with { RequestsPerMinute = 0 } } },
        { "max_choices_per_request", c => c with { Backend = c.Backend with { MaxChoicesPerRequest = 0 } } },
        { "bf16", c => c with { BFloat16 = true } },
        { "problems_file", c => c with { ProblemsFile = "/no/such/problems.jsonl" } },
        { "dataset", c => c with { Dataset = "no-such-set" } },
        { "samples_path", c => c with { SamplesPath = "/proc/x.jsonl" } },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void Each_bad_field_is_named(string field, Func<GenerationConfig, GenerationConfig> spoil)
    {
        var error = Assert.Throws<ConfigException>(() => spoil(Valid).Validated());
        Assert.Equal(field, error.Field);
    }
}
