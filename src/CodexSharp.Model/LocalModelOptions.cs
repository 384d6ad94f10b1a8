namespace CodexSharp.Model;

/// <summary>How a local checkpoint is run.</summary>
public sealed record LocalModelOptions
{
    /// <summary>Most rows (samples) sampled together in one batch; concurrent requests are merged up to this.</summary>
    public int MaxBatchRows { get; init; } = 32;

    /// <summary>Run the weights in bfloat16 (faster on CPUs with AVX-512 BF16; see the benchmark's accuracy check).</summary>
    public bool BFloat16 { get; init; }

    /// <summary>Use the KV cache; false recomputes the whole sequence each step (the reference path).</summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary>
    /// Left-truncate a prompt that does not fit the context with room for max_tokens (in-process generation; see
    /// <see cref="LocalModelGenerator.FitToContext"/>). False keeps every prompt whole: one of the context's length or
    /// more is an input error, and new tokens stop at the context (the server answers such prompts with a 400).
    /// </summary>
    public bool TruncateLongPrompts { get; init; } = true;
}
