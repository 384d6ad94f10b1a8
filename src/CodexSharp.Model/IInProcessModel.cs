using CodexSharp.Core.Generation;
using CodexSharp.Model.Sampling;

namespace CodexSharp.Model;

/// <summary>
/// A model run in this process — our checkpoint (<see cref="LocalModelGenerator"/>) or a GGUF file through llama.cpp —
/// that samples and also scores given text: what <c>score</c>, <c>rank</c> and <c>serve</c> need.
/// </summary>
public interface IInProcessModel : ICodeGenerator, ITokenCounter
{
    /// <summary>What the model was fine-tuned for (<c>solve</c>, <c>docstring</c>), or null.</summary>
    string? FineTunedTask { get; }

    /// <summary>Positions the model sees at once.</summary>
    int Context { get; }

    /// <summary>Tokens of <paramref name="text"/> and log p(token i+1 | tokens 0..i) for each.</summary>
    Task<SequenceScore> ScoreAsync(string text);

    /// <summary>
    /// log p(continuation | prefix) for each pair: the continuation's tokens only, prefix and continuation tokenized apart;
    /// a pair longer than the context loses the prefix's first tokens (at least one is kept).
    /// </summary>
    Task<IReadOnlyList<ContinuationScore>> ScoreContinuationsAsync(IReadOnlyList<(string Prefix, string Continuation)> pairs);
}
