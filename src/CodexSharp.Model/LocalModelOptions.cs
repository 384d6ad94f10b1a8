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
}
