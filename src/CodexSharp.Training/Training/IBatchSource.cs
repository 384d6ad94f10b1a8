namespace CodexSharp.Training.Training;

/// <summary>
/// Where the training loop gets its batches: random windows of a token corpus (<see cref="BlockSampler"/>, for
/// <c>train</c>) or whole examples with masked prompts (<see cref="Finetuning.ExampleSampler"/>, for <c>finetune</c>). A step's
/// batches depend on the seed and the step alone, so a resumed run sees what the uninterrupted run would.
/// </summary>
public interface IBatchSource
{
    /// <summary>The micro-batches of optimiser step <paramref name="step"/> (from 1); the caller disposes them.</summary>
    IReadOnlyList<TrainingBatch> Train(int step);

    /// <summary>Micro-batches of one evaluation (0 = no validation data).</summary>
    int ValidationBatches { get; }

    /// <summary>Validation micro-batch <paramref name="index"/>: the same at every evaluation, so losses compare step to step.</summary>
    TrainingBatch Validation(int index);
}
