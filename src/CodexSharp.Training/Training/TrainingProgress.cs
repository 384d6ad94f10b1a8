namespace CodexSharp.Training.Training;

/// <summary>What a run is about to do, for a progress display.</summary>
/// <param name="Batch">How a step is made, e.g. "32 rows × 256 tokens per step (2 micro-batches of 16)".</param>
public sealed record TrainingPlan(int FirstStep, int MaxSteps, long ParameterCount, string Batch, string Precision, double PeakGflops, string? PrecisionNote);

/// <summary>One optimiser step's numbers (a metrics.jsonl row).</summary>
public sealed record StepReport(int Step, long Tokens, double LearningRate, double TrainLoss, double GradientNorm, double TokensPerSecond,
    double Mfu, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>Receives a run's events; the command line shows them, tests record them.</summary>
public interface ITrainingObserver
{
    void Started(TrainingPlan plan);

    void Stepped(StepReport step);

    void Evaluated(int step, double validationLoss);

    void Checkpointed(int step, string directory);
}
