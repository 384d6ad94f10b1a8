using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CodexSharp.Model.Modeling;

/// <summary>
/// Multi-head causal self-attention through <c>scaled_dot_product_attention</c>. Field names are GPT-2's
/// checkpoint keys (<c>attn.c_attn</c>, <c>attn.c_proj</c>); weights use torch's Linear layout (out, in).
/// </summary>
public sealed class CausalSelfAttention : nn.Module
{
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly Dropout resid_dropout;
    private readonly int heads;
    private readonly int width;
    private readonly double dropout;

    public CausalSelfAttention(GptConfig config) : base(nameof(CausalSelfAttention))
    {
        heads = config.Heads;
        width = config.Width;
        dropout = config.Dropout;
        c_attn = nn.Linear(width, 3 * width, hasBias: config.Bias);
        c_proj = nn.Linear(width, width, hasBias: config.Bias);
        resid_dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <param name="x">(B, T, C)</param>
    /// <param name="mask">(B, 1, T, S) true where a query may attend a key; null means plain causal attention.</param>
    /// <param name="cache">When given, this step's keys and values are appended and attention covers everything cached.</param>
    /// <returns>(B, T, C)</returns>
    public Tensor Forward(Tensor x, Tensor? mask, KvCache? cache, int layer)
    {
        var (batch, steps) = (x.shape[0], x.shape[1]);
        var headSize = width / heads;
        using var qkv = c_attn.forward(x); // (B, T, 3C)
        var parts = qkv.split(width, dim: 2);
        using var q = parts[0].view(batch, steps, heads, headSize).transpose(1, 2); // (B, nh, T, hs)
        using var k = parts[1].view(batch, steps, heads, headSize).transpose(1, 2); // (B, nh, T, hs)
        using var v = parts[2].view(batch, steps, heads, headSize).transpose(1, 2); // (B, nh, T, hs)
        foreach (var part in parts) part.Dispose();

        var (keys, values) = cache is null ? (k, v) : cache.Append(layer, k, v); // (B, nh, S, hs)
        // With no mask the queries are the last T of S positions; is_causal is right only when T == S, and a
        // single query (T == 1) attends to everything before it.
        var isCausal = mask is null && steps > 1;
        using var y = nn.functional.scaled_dot_product_attention(q, keys, values, mask, training ? dropout : 0.0, isCausal); // (B, nh, T, hs)
        if (cache is not null)
        {
            keys.Dispose();
            values.Dispose();
        }
        using var merged = y.transpose(1, 2).contiguous().view(batch, steps, width); // (B, T, C)
        var projected = c_proj.forward(merged); // (B, T, C)
        if (!training || dropout == 0) return projected;
        using (projected) return resid_dropout.forward(projected);
    }
}
