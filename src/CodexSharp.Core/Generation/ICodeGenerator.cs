namespace CodexSharp.Core.Generation;

/// <summary>
/// Anything that continues a prompt: a model server, a chat model, our own checkpoint. Retries, rate
/// limits and logging are decorators around it, not options of it.
/// </summary>
public interface ICodeGenerator : IDisposable
{
    /// <summary>The model's name as it is recorded next to the samples it wrote.</summary>
    string ModelName { get; }

    /// <summary>Returns <see cref="CompletionRequest.N"/> continuations of the prompt (fewer only on a backend fault, which throws).</summary>
    Task<IReadOnlyList<GeneratedCompletion>> GenerateAsync(CompletionRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One prompt to continue <paramref name="N"/> times.</summary>
public sealed record CompletionRequest(string Prompt, int N, SamplingOptions Sampling);

/// <summary>
/// How to sample. The defaults are the Codex paper's protocol: nucleus sampling with top-p 0.95 and the
/// five stop sequences; temperature 0.8 suits pass@100 and 0.2 suits pass@1 (§3.3).
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature; 0 means greedy decoding.</summary>
    public double Temperature { get; init; } = 0.8;

    /// <summary>Nucleus sampling mass (the paper uses 0.95 everywhere).</summary>
    public double TopP { get; init; } = 0.95;

    /// <summary>Keep only the k most likely tokens; null means no top-k cut.</summary>
    public int? TopK { get; init; }

    /// <summary>Upper bound on new tokens per completion (the paper does not state one).</summary>
    public int MaxTokens { get; init; } = 300;

    /// <summary>Generation stops at the first of these, and the completion is cut before it.</summary>
    public IReadOnlyList<string> Stop { get; init; } = StopSequences.Paper;

    /// <summary>Makes sampling reproducible where the backend supports it.</summary>
    public long? Seed { get; init; }

    /// <summary>Ask for per-token log-probabilities of the chosen tokens.</summary>
    public bool LogProbs { get; init; } = true;
}

/// <summary>One continuation, before stop-sequence truncation by the caller.</summary>
/// <param name="Text">The text the backend produced (a backend that stops on a stop sequence leaves it out).</param>
/// <param name="FinishReason">"stop" (stop sequence or end of text), "length" (max tokens) or a backend's own word.</param>
/// <param name="Tokens">The chosen tokens with their log-probabilities, or null when the backend gives none.</param>
/// <param name="RawText">What the model actually said when <paramref name="Text"/> was derived from it (a chat reply
/// the function body was extracted from); null when <paramref name="Text"/> is the model's own text.</param>
/// <param name="PromptTokensDropped">Tokens cut from the start of a prompt longer than the model's context
/// allows (an in-process model left-truncates; 0 when the whole prompt was seen).</param>
public sealed record GeneratedCompletion(string Text, string FinishReason, IReadOnlyList<TokenLogProb>? Tokens = null, string? RawText = null,
    int PromptTokensDropped = 0);

/// <summary>A generated token and log p(token | everything before it) under the model's untempered distribution.</summary>
public readonly record struct TokenLogProb(string Token, double LogProb);
