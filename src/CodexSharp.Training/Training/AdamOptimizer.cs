using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// Adam with decoupled weight decay (AdamW, Loshchilov and Hutter), written out so every setting is explicit and
/// the moments can be checkpointed by name. Per parameter p with gradient g at step t:
/// p ← p·(1 − lr·wd) (weight matrices only); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
/// p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε) — PyTorch's AdamW, term for term.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    private readonly List<Slot> slots;
    private readonly double beta1, beta2, epsilon, weightDecay;

    public AdamOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double beta1, double beta2, double epsilon, double weightDecay)
    {
        (this.beta1, this.beta2, this.epsilon, this.weightDecay) = (beta1, beta2, epsilon, weightDecay);
        slots = parameters.Select(p => new Slot(p.Name, p.Parameter, zeros_like(p.Parameter).DetachFromDisposeScope(),
            zeros_like(p.Parameter).DetachFromDisposeScope(), DecaysWeight(p.Name, p.Parameter))).ToList();
    }

    /// <summary>Updates taken so far (t of the bias correction).</summary>
    public long Steps { get; private set; }

    /// <summary>Names of the parameters that get weight decay.</summary>
    public IEnumerable<string> DecayedNames => slots.Where(s => s.Decay).Select(s => s.Name);

    /// <summary>
    /// Weight decay applies to weight matrices only: the linear layers' weights. Biases, LayerNorm gains and the
    /// embeddings (the token embedding is also the output head, and <c>rare_head</c> is one more head row) are not
    /// decayed, as in GPT-2/3 practice.
    /// </summary>
    public static bool DecaysWeight(string name, Tensor parameter) =>
        parameter.dim() >= 2 && !name.EndsWith("wte.weight", StringComparison.Ordinal) && !name.EndsWith("wpe.weight", StringComparison.Ordinal)
        && name != "rare_head";

    /// <summary>One update with learning rate <paramref name="lr"/> from the parameters' current gradients.</summary>
    public void Step(double lr)
    {
        Steps++;
        var correction1 = 1 - Math.Pow(beta1, Steps);
        var root2 = Math.Sqrt(1 - Math.Pow(beta2, Steps));
        using var noGrad = no_grad();
        foreach (var slot in slots)
        {
            var grad = slot.Parameter.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            if (slot.Decay && weightDecay > 0) slot.Parameter.mul_(1 - lr * weightDecay);
            slot.ExpAvg.lerp_(grad, 1 - beta1);
            slot.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
            var denominator = slot.ExpAvgSq.sqrt().div_(root2).add_(epsilon);
            slot.Parameter.addcdiv_(slot.ExpAvg, denominator, -lr / correction1);
        }
    }

    /// <summary>The moments by name (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c>), for a checkpoint.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> State() =>
        slots.SelectMany(s => new[] { ("exp_avg." + s.Name, s.ExpAvg), ("exp_avg_sq." + s.Name, s.ExpAvgSq) });

    /// <summary>Restores the moments and the step count written by <see cref="State"/>.</summary>
    public void Load(Func<string, Tensor> read, long steps)
    {
        using var noGrad = no_grad();
        foreach (var slot in slots)
        {
            using (var m = read("exp_avg." + slot.Name)) slot.ExpAvg.copy_(m);
            using (var v = read("exp_avg_sq." + slot.Name)) slot.ExpAvgSq.copy_(v);
        }
        Steps = steps;
    }

    public void Dispose()
    {
        foreach (var slot in slots)
        {
            slot.ExpAvg.Dispose();
            slot.ExpAvgSq.Dispose();
        }
    }

    private sealed record Slot(string Name, Parameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq, bool Decay);
}
