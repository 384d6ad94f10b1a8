using CodexSharp.Model.Modeling;

namespace CodexSharp.Training.Training;

/// <summary>
/// Training FLOPs per token by the PaLM paper's formula (Chowdhery et al. 2022, appendix B): 6·N + 12·L·H·Q·T,
/// where N counts the parameters that take part in matrix multiplies (the tied token embedding once, for the
/// output head; not the position table, which is a lookup), L layers, H heads of width Q, and T the block size.
/// The attention term counts the full T×T score matrix, as PaLM does, although causal attention needs half.
/// Fine-tuning runs the output head only where the loss counts: <c>headFraction</c> of the tokens. A frequent-token
/// head (<see cref="GptConfig.HeadTokens"/>) multiplies by its S + 1 rows, not the whole embedding.
/// </summary>
public static class ModelFlops
{
    public static long MatmulParameters(GptConfig config) =>
        config.ParameterCount - (long)config.Context * config.Width - (long)(config.VocabSize - (config.HeadTokens?.Length ?? config.VocabSize)) * config.Width;

    public static double PerToken(GptConfig config, int blockSize, double headFraction = 1.0) =>
        6.0 * (MatmulParameters(config) - (1 - headFraction) * config.HeadRows * (double)config.Width)
        + 12.0 * config.Layers * config.Heads * config.HeadSize * blockSize;
}
