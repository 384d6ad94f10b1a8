using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CodexSharp.Model.Modeling;

/// <summary>
/// Multi-head causal self-attention through <c>scaled_dot_product_attention</c>, or, for a left-padded sampling
/// batch, softmax(q·kᵀ/√hs)·v written out per group of rows with the same padding, over their real positions only
/// (see <see cref="RowGroups"/>). libtorch's fused kernel takes other paths for one row than for several, and for
/// strided keys than for contiguous ones, so its result for a row depends on the batch by the last bits; the
/// written-out form computes each (row, head) as its own small matrix product, the same whatever the batch holds.
/// Field names are GPT-2's checkpoint keys (<c>attn.c_attn</c>, <c>attn.c_proj</c>); weights use torch's Linear
/// layout (out, in).
/// </summary>
public sealed class CausalSelfAttention : nn.Module
{
#pragma warning disable CA2213 // registered submodules: nn.Module.Dispose disposes them
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly Dropout resid_dropout;
#pragma warning restore CA2213
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
    /// <param name="groups">Rows grouped by left padding; when given, <paramref name="mask"/> is ignored and T is 1 or S.</param>
    /// <returns>(B, T, C)</returns>
    public Tensor Forward(Tensor x, Tensor? mask, KvCache? cache, int layer, RowGroups? groups = null)
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
        using var y = groups is null
            ? nn.functional.scaled_dot_product_attention(q, keys, values, mask, training ? dropout : 0.0, isCausal)
            : GroupedAttention(q, keys, values, groups); // (B, nh, T, hs)
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

    /// <summary>Attention of each group of rows over its real positions [pad, S); padding queries get zeros.</summary>
    /// <param name="q">(B, nh, T, hs) with T = 1 (a decoding step) or T = S (the whole sequence).</param>
    /// <param name="keys">(B, nh, S, hs)</param>
    /// <param name="values">(B, nh, S, hs)</param>
    /// <returns>(B, nh, T, hs)</returns>
    private static Tensor GroupedAttention(Tensor q, Tensor keys, Tensor values, RowGroups groups)
    {
        var (steps, length) = (q.shape[2], keys.shape[2]);
        if (steps != 1 && steps != length) throw new ArgumentException($"grouped attention takes 1 or all {length} positions, got {steps}");
        var scale = 1.0 / Math.Sqrt(q.shape[3]);
        var single = groups.Groups.Count == 1 && groups.Groups[0].Pad == 0;
        var output = single ? null : zeros_like(q); // (B, nh, T, hs)
        foreach (var (start, count, pad) in groups.Groups)
        {
            using var scope = NewDisposeScope();
            var real = length - pad;
            var rowKeys = keys.narrow(0, start, count).narrow(2, pad, real); // (G, nh, S', hs)
            var rowValues = values.narrow(0, start, count).narrow(2, pad, real); // (G, nh, S', hs)
            var queries = steps == 1 ? q.narrow(0, start, count) : q.narrow(0, start, count).narrow(2, pad, real); // (G, nh, T', hs)
            var scores = queries.matmul(rowKeys.transpose(2, 3)).mul_(scale); // (G, nh, T', S')
            if (steps > 1)
            {
                using var future = ones(real, real, ScalarType.Bool).triu_(1); // (T', S') true above the diagonal
                scores.masked_fill_(future, double.NegativeInfinity);
            }
            var attended = scores.softmax(-1).matmul(rowValues); // (G, nh, T', hs)
            if (output is null) return attended.MoveToOuterDisposeScope();
            var target = steps == 1 ? output.narrow(0, start, count) : output.narrow(0, start, count).narrow(2, pad, real);
            target.copy_(attended);
        }
        return output!;
    }
}
