namespace CodexSharp.Model.Sampling;

/// <summary>One row of a sampling batch: a prompt and how to continue it.</summary>
/// <param name="Prompt">Prompt token ids (at least one).</param>
/// <param name="Random">The row's own generator: draws one uniform number per token, so seeded rows repeat exactly.</param>
/// <param name="Cancellation">When cancelled, the row leaves the batch at the next step and its result is <see cref="SampleResult.Cancelled"/>.</param>
internal sealed record SampleJob(IReadOnlyList<int> Prompt, RowSampling Sampling, int MaxTokens, IReadOnlyList<string> Stop, Random Random,
    CancellationToken Cancellation = default);

/// <summary>What one row produced.</summary>
/// <param name="Tokens">Generated ids up to the stop sequence (the token that reaches it included); never &lt;|endoftext|&gt;.</param>
/// <param name="LogProbs">log p(token | everything before it) under the untempered distribution, one per token.</param>
/// <param name="Text">Decoded completion, cut before the first stop sequence.</param>
/// <param name="FinishReason">"stop" (stop sequence or end of text), "length", or "cancelled" for a row whose request went away.</param>
internal sealed record SampleResult(IReadOnlyList<int> Tokens, IReadOnlyList<float> LogProbs, string Text, string FinishReason)
{
    public static SampleResult Cancelled { get; } = new([], [], "", "cancelled");
}
