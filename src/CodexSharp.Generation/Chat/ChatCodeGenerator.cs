using System.ClientModel;
using System.Net.Sockets;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using Microsoft.Extensions.AI;

namespace CodexSharp.Generation.Chat;

/// <summary>
/// Asks a chat model (any <see cref="IChatClient"/>) to complete the prompt, one reply per sample, and
/// extracts the function body from each reply. The reply itself is kept as the raw text. Chat models get
/// no stop sequences: their replies hold the whole function, and the body is cut out afterwards.
/// </summary>
public sealed class ChatCodeGenerator(IChatClient client, ChatGeneratorOptions options, string source) : ICodeGenerator
{
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
                Seed = options.SendSeed != false ? sampling.Seed + i : null,
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
            throw Classify(e.Status, e.Message, e);
        }
        catch (HttpRequestException e)
        {
            var refused = (e.InnerException as SocketException)?.SocketErrorCode == SocketError.ConnectionRefused;
            throw new GenerationBackendException(refused ? $"cannot reach {source}: connection refused (is the server running, and is the URL right?)." : $"cannot reach {source}: {e.Message}", isTransient: true, inner: e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GenerationBackendException($"{source} did not answer in time.", isTransient: true, inner: e);
        }
    }

    private Exception Classify(int status, string message, Exception inner)
    {
        var said = $"{source} answered HTTP {status}: {FirstLine(message)}";
        if (status is 401 or 403) return new UserInputException($"{said} — the API key was refused; set the key's environment variable (see --api-key-env) to a valid key.");
        if (status == 404) return new UserInputException($"{said} — check the model name '{options.Model}' and the URL in --model.");
        if (status == 0) return new GenerationBackendException($"cannot reach {source}: {FirstLine(message)}", isTransient: true, inner: inner);
        return new GenerationBackendException(said, isTransient: status is 408 or 429 or >= 500, inner: inner);
    }

    private static string FirstLine(string message)
    {
        var line = message.ReplaceLineEndings("\n").Split('\n')[0].Trim();
        return line.Length <= 300 ? line : line[..300] + "...";
    }
}
