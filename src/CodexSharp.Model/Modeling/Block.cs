using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CodexSharp.Model.Modeling;

/// <summary>A pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class Block : nn.Module
{
#pragma warning disable CA2213 // registered submodules: nn.Module.Dispose disposes them
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly Mlp mlp;
#pragma warning restore CA2213

    public Block(GptConfig config) : base(nameof(Block))
    {
        ln_1 = nn.LayerNorm(config.Width, config.LayerNormEpsilon, bias: config.Bias);
        attn = new CausalSelfAttention(config);
        ln_2 = nn.LayerNorm(config.Width, config.LayerNormEpsilon, bias: config.Bias);
        mlp = new Mlp(config);
        RegisterComponents();
    }

    /// <param name="x">(B, T, C)</param>
    /// <returns>(B, T, C)</returns>
    public Tensor Forward(Tensor x, Tensor? mask, KvCache? cache, int layer, RowGroups? groups = null)
    {
        using var normed1 = ln_1.forward(x);
        using var attended = attn.Forward(normed1, mask, cache, layer, groups);
        using var afterAttention = x.add(attended, TorchScalars.One);
        using var normed2 = ln_2.forward(afterAttention);
        using var transformed = mlp.forward(normed2);
        return afterAttention.add(transformed, TorchScalars.One);
    }
}
