using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CodexSharp.Model.Modeling;

/// <summary>The position-wise MLP: width → 4·width → GELU (tanh approximation, as GPT-2) → width.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable CA2213 // registered submodules: nn.Module.Dispose disposes them
    private readonly Linear c_fc;
    private readonly Linear c_proj;
    private readonly Dropout dropout;
#pragma warning restore CA2213

    public Mlp(GptConfig config) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(config.Width, 4 * config.Width, hasBias: config.Bias);
        c_proj = nn.Linear(4 * config.Width, config.Width, hasBias: config.Bias);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <param name="x">(B, T, C)</param>
    /// <returns>(B, T, C)</returns>
    public override Tensor forward(Tensor x)
    {
        using var hidden = c_fc.forward(x); // (B, T, 4C)
        using var activated = nn.functional.gelu(hidden, GELU.Approximate.tanh);
        var projected = c_proj.forward(activated); // (B, T, C)
        if (!training || dropout.p == 0) return projected;
        using (projected) return dropout.forward(projected);
    }
}
