using System.ClientModel;
using CodexSharp.Core.Generation;
using Microsoft.Extensions.AI;

namespace CodexSharp.Generation.Chat;

/// <summary>
/// Asks a chat model (any <see cref="IChatClient"/>) to complete the prompt, one reply per sample, and
/// extracts the function body from each reply. The reply itself is kept as the raw text. Chat models get
/// no stop sequences: their replies hold the whole function, and the body is cut out afterwards.
/// </summary>
/// <param name="client">The chat client.</param>
/// <param name="options">The model and how prompts are put to it.</param>
/// <param name="source">The chat endpoint's address, for messages.</param>
public sealed class ChatCodeGenerator(IChatClient client, ChatGeneratorOptions options, Uri source) : ICodeGenerator
{
    private readonly string host = source.Host;

    public string ModelName => options.Model;

    public async Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, options.Template.System),
            new(ChatRole.User, options.Template.RenderUser(request.Prompt)),
        };
        var results = new List<GeneratedCompletion>(request.N);
        for (var i = 0; i < request.N; i++)
        {
            var sampling = request.Sampling;
            var chatOptions = new ChatOptions
            {
                ModelId = options.Model,
                Temperature = (float)sampling.Temperature,
                TopP = (float)sampling.TopP,
                TopK = sampling.TopK,
                MaxOutputTokens = Math.Max(sampling.MaxTokens, options.MinReplyTokens ?? 0),
                Seed = sampling.Seed + i,
            };
            var response = await SendAsync(messages, chatOptions, cancellationToken);
            var reply = response.Text;
            var finish = response.FinishReason?.Value ?? "stop";
            results.Add(new GeneratedCompletion(FunctionBodyExtractor.Extract(request.Prompt, reply), finish, null, reply));
        }
        return results;
    }

    public void Dispose() => client.Dispose();

    private async Task<ChatResponse> SendAsync(List<ChatMessage> messages, ChatOptions chatOptions, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetResponseAsync(messages, chatOptions, cancellationToken);
        }
        catch (ClientResultException e)
        {
            var body = e.GetRawResponse()?.Content?.ToString() ?? e.Message;
            throw BackendErrors.FromStatus(new BackendErrors.HttpFailure(source.ToString(), options.Model, e.Status, body), e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw BackendErrors.FromTransport(source.ToString(), host, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw BackendErrors.Timeout(source.ToString(), null, e);
        }
    }
}
