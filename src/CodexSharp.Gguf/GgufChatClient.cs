using CodexSharp.Core.Generation;
using CodexSharp.Generation.Chat;
using Microsoft.Extensions.AI;

namespace CodexSharp.Gguf;

/// <summary>
/// An instruction-tuned GGUF model as a chat model, in this process: the conversation is laid out by the chat
/// template stored in the file and continued until the model ends its turn, with the same exact seeded
/// sampling as <c>gguf:PATH</c>. Put behind <see cref="ChatCodeGenerator"/>, it is asked as any chat model is
/// (the instruction template, the function body cut out of the reply).
/// </summary>
public sealed class GgufChatClient(GgufModelGenerator generator) : IChatClient
{
    /// <summary>The chat path for <c>gguf-chat:PATH</c>: this client behind the chat backend's prompt and reply extraction.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The model is owned by the client, and the client by the generator returned to the caller.")]
    public static ICodeGenerator CodeGenerator(ModelSpec spec, GgufOptions options, ChatGeneratorOptions chat)
    {
        var generator = GgufModelGenerator.Load(spec, options);
        return new ChatCodeGenerator(new GgufChatClient(generator), chat with { Model = generator.ModelName.Replace("gguf:", "gguf-chat:", StringComparison.Ordinal) },
            new Uri(Path.GetFullPath(spec.Model)));
    }

    public GgufModelGenerator Generator => generator;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = generator.Model.ApplyChatTemplate(messages.Select(m => (m.Role.Value, m.Text)));
        var sampling = new SamplingOptions
        {
            Temperature = options?.Temperature ?? 0.8,
            TopP = options?.TopP ?? 0.95,
            TopK = options?.TopK,
            MaxTokens = options?.MaxOutputTokens ?? 1024,
            Seed = options?.Seed,
            Stop = [],
            LogProbs = false,
        };
        var completion = (await generator.GenerateAsync(new CompletionRequest(prompt, 1, sampling), cancellationToken))[0];
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, completion.Text))
        {
            ModelId = generator.ModelName,
            FinishReason = completion.FinishReason == "length" ? ChatFinishReason.Length : ChatFinishReason.Stop,
        };
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("gguf-chat: replies are generated whole.");

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => generator.Dispose();
}
