namespace CodexSharp.Training.Training;

/// <summary>A training run failed for a reason outside the user's input (a full disk, a write error): exit code 1.</summary>
public sealed class TrainingFailedException(string message) : Exception(message);
