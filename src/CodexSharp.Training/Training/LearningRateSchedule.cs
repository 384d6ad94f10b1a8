namespace CodexSharp.Training.Training;

/// <summary>
/// Linear warm-up to the peak learning rate, then cosine decay to a floor:
/// lr(s) = peak·s/W for s ≤ W (steps counted from 1), else floor + ½(peak − floor)(1 + cos(π·(s − W)/(S − W))),
/// which reaches the floor at the last step S.
/// </summary>
public static class LearningRateSchedule
{
    /// <param name="step">The optimiser step, 1 … <paramref name="totalSteps"/>.</param>
    public static double At(int step, int totalSteps, int warmupSteps, double peak, double minFraction)
    {
        if (step <= warmupSteps) return peak * step / warmupSteps;
        var floor = peak * minFraction;
        if (totalSteps <= warmupSteps) return floor;
        var progress = Math.Min(1.0, (double)(step - warmupSteps) / (totalSteps - warmupSteps));
        return floor + 0.5 * (peak - floor) * (1 + Math.Cos(Math.PI * progress));
    }
}
