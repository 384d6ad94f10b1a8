namespace CodexSharp.Gguf;

/// <summary>How a GGUF model is run in process.</summary>
public sealed record GgufOptions
{
    /// <summary>llama.cpp's threads; null uses every core.</summary>
    public int? Threads { get; init; }

    /// <summary>Most samples decoded together, at most <see cref="GgufModel.MaxRows"/> (each gets a KV cache of its own, a copy of the prompt's).</summary>
    public int MaxBatchRows { get; init; } = 32;

    /// <summary>Positions per sample: the model's trained context, capped at this (the KV cache holds rows + 2 times this).</summary>
    public int MaxContext { get; init; } = 1024;

    /// <summary>
    /// Left-truncate a prompt that does not fit the context with room for max_tokens (the same rule as our own
    /// models); false makes such a prompt an input error (the server answers it with a 400).
    /// </summary>
    public bool TruncateLongPrompts { get; init; } = true;
}
