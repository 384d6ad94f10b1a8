using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// The weights with the lowest validation loss so far (a copy, updated at each evaluation that beats it) and the
/// evaluations since that have not: fine-tuning stops after <c>--patience</c> of those and keeps these weights.
/// </summary>
public sealed class BestModel : IDisposable
{
    public BestModel(GptModel master)
    {
        Model = new GptModel(master.Config);
        Copy(master, Model);
    }

    /// <summary>The best weights (the initial ones until an evaluation is offered).</summary>
    public GptModel Model { get; }

    /// <summary>The step of the best evaluation (0 = the starting model).</summary>
    public int Step { get; private set; }

    public double Loss { get; private set; } = double.PositiveInfinity;

    /// <summary>Evaluations since the best that did not improve on it.</summary>
    public int Stale { get; private set; }

    /// <summary>Keeps <paramref name="master"/>'s weights when <paramref name="loss"/> beats the best; true when it did.</summary>
    public bool Offer(int step, double loss, GptModel master)
    {
        if (loss < Loss)
        {
            Copy(master, Model);
            (Step, Loss, Stale) = (step, loss, 0);
            return true;
        }
        Stale++;
        return false;
    }

    /// <summary>Restores the counters a checkpoint stored (the weights are loaded into <see cref="Model"/> by the caller).</summary>
    public void Restore(int step, double loss, int stale) => (Step, Loss, Stale) = (step, loss, stale);

    private static void Copy(GptModel from, GptModel to)
    {
        using var noGrad = no_grad();
        foreach (var ((_, source), (_, target)) in from.named_parameters().Zip(to.named_parameters())) target.copy_(source);
    }

    public void Dispose() => Model.Dispose();
}
