using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics.CodeAnalysis;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Chat;
using CodexSharp.Generation.Completions;
using CodexSharp.Generation.Resilience;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CodexSharp.Generation.Specs;

/// <summary>Opens a local checkpoint (<c>local:DIR</c>, <c>hf:DIR</c>) as a generator; supplied by the program that has one.</summary>
public delegate ICodeGenerator LocalModelFactory(ModelSpec spec);

/// <summary>
/// Builds the generator a <see cref="ModelSpec"/> names, wrapped in retries and an optional rate limit.
/// Local checkpoints come from a <see cref="LocalModelFactory"/> the caller plugs in, so this project does
/// not depend on the model's libraries.
/// </summary>
public sealed class CodeGeneratorFactory(
    LocalModelFactory? localModels = null,
    Func<string, string?>? environment = null,
    Action<string>? notice = null,
    Action<RetryNotice>? onRetry = null)
{
    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <exception cref="UserInputException">The spec needs a key that is not set, or a local model this program cannot load.</exception>
    [SuppressMessage("Reliability", "CA2000", Justification = "The generator is returned: the caller owns it, and each decorator owns the generator it wraps.")]
    public ICodeGenerator Create(ModelSpec spec, BackendSettings settings)
    {
        if (spec.IsLocal)
        {
            return localModels?.Invoke(spec)
                ?? throw new UserInputException($"model '{spec.Text}': this program cannot load local checkpoints.");
        }
        var endpoint = spec.Endpoint!;
        var key = ApiKey(spec, settings);
        ICodeGenerator generator = spec.Kind switch
        {
            ModelSpecKind.OpenAICompletions => new OpenAICompletionsGenerator(CompletionsOptions(spec, settings), key, notice),
            _ => new ChatCodeGenerator(ChatClient(spec, endpoint, key, settings), ChatOptions(spec), OpenAIBaseUrl.Endpoint(endpoint, "chat/completions")),
        };
        if (settings.RequestsPerMinute is { } rpm) generator = new RateLimitedCodeGenerator(generator, rpm);
        return new RetryingCodeGenerator(generator, settings.Retry, onRetry);
    }

    /// <summary>The completions backend's options for a spec (also what is recorded beside the samples).</summary>
    public static OpenAICompletionsOptions CompletionsOptions(ModelSpec spec, BackendSettings settings) => new()
    {
        Endpoint = spec.Endpoint!,
        Model = spec.Model,
        MaxChoicesPerRequest = settings.MaxChoicesPerRequest ?? (IsOpenAI(spec.Endpoint!) ? 128 : null),
        MaxStopSequences = IsOpenAI(spec.Endpoint!) ? 4 : null,
        RequestTimeout = settings.RequestTimeout,
    };

    /// <summary>The chat backend's options for a spec.</summary>
    public static ChatGeneratorOptions ChatOptions(ModelSpec spec) => new() { Model = spec.Model };

    /// <summary>A warning when the server lists its models and the spec's model is not among them (see <see cref="ServedModelCheck"/>).</summary>
    public Task<string?> CheckServedModelAsync(ModelSpec spec, BackendSettings settings, CancellationToken cancellationToken = default) =>
        spec.IsLocal ? Task.FromResult<string?>(null) : ServedModelCheck.WarningAsync(spec, ApiKey(spec, settings), cancellationToken);

    private string? ApiKey(ModelSpec spec, BackendSettings settings)
    {
        var key = _environment(settings.ApiKeyVariable);
        if (!string.IsNullOrWhiteSpace(key)) return key.Trim();
        if (IsOpenAI(spec.Endpoint!))
            throw new UserInputException($"model '{spec.Text}' uses OpenAI's API, which needs a key: set the environment variable {settings.ApiKeyVariable}.");
        return null;
    }

    private static IChatClient ChatClient(ModelSpec spec, Uri endpoint, string? key, BackendSettings settings)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = OpenAIBaseUrl.Normalize(endpoint),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = settings.RequestTimeout,
        };
        // Local servers (Ollama, vLLM without --api-key) need no key, but the client insists on one: without a key,
        // the placeholder's Authorization header is taken off each request before it is sent.
        if (key is null) options.AddPolicy(new WithoutAuthorization(), PipelinePosition.BeforeTransport);
        return new OpenAI.Chat.ChatClient(spec.Model, new ApiKeyCredential(key ?? "unused"), options).AsIChatClient();
    }

    /// <summary>Removes the Authorization header, so that no key is sent when none was set.</summary>
    private sealed class WithoutAuthorization : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Remove("Authorization");
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Remove("Authorization");
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }

    private static bool IsOpenAI(Uri endpoint) => endpoint.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);
}
