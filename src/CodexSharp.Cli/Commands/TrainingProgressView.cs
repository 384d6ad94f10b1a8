using CodexSharp.Training.Training;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// Shows a training run: one line per step on a terminal (step, loss, val loss, tokens/s, MFU, time left), every
/// few seconds when the output is a file or a CI log. Evaluations and checkpoints always get their line.
/// </summary>
internal sealed class TrainingProgressView : ITrainingObserver
{
    private readonly bool interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    private readonly ProgressThrottle throttle;
    private double? validationLoss;
    private int maxSteps;

    public TrainingProgressView() => throttle = new ProgressThrottle(interactive ? TimeSpan.FromSeconds(0.5) : ProgressThrottle.PlainLineInterval);

    public void Started(TrainingPlan plan)
    {
        maxSteps = plan.MaxSteps;
        var from = plan.FirstStep == 0 ? "from step 0" : $"continuing from the checkpoint of step {plan.FirstStep}";
        if (plan.PrecisionNote is not null) Console.Error.WriteLine($"warning: {plan.PrecisionNote}");
        Console.WriteLine($"training {plan.ParameterCount / 1e6:F1}M parameters, {from} to {plan.MaxSteps}: {plan.Batch}, {plan.Precision}, matmul peak {plan.PeakGflops:F0} GFLOP/s");
    }

    public void Stepped(StepReport step)
    {
        if (!throttle.ShouldReport(force: step.Step == maxSteps)) return;
        var val = validationLoss is { } v ? $" | val {v:F4}" : "";
        var left = step.Remaining is { } r ? $" | {Format(r)} left" : "";
        var line = $"step {step.Step}/{maxSteps} | loss {step.TrainLoss:F4}{val} | lr {step.LearningRate:0.###e+0} | {step.TokensPerSecond:F0} tok/s | MFU {step.Mfu:P1}{left}";
        if (interactive) AnsiConsole.MarkupLine(Markup.Escape(line));
        else Console.WriteLine(line);
    }

    public void Evaluated(int step, double loss)
    {
        validationLoss = loss;
        Console.WriteLine($"step {step}: val loss {loss:F4}");
    }

    public void Checkpointed(int step, string directory) => Console.WriteLine($"step {step}: checkpoint written to {directory}");

    public void Finished(TrainingSummary summary, string directory)
    {
        var status = summary.Status switch
        {
            "time limit" => $"stopped at the time limit after step {summary.Steps}",
            "early stop" => $"stopped early after step {summary.Steps} (validation loss stopped improving)",
            _ => $"done: {summary.Steps} steps",
        };
        if (summary.BestStep is { } best) status += $"; kept the best model, of step {best} (val loss {summary.BestValidationLoss:F4})";
        var loss = summary.LastTrainLoss is { } l ? $", train loss {l:F4}" : "";
        var val = summary.LastValidationLoss is { } v ? $", val loss {v:F4}" : "";
        Console.WriteLine($"{status}, {summary.Tokens:N0} tokens{loss}{val}; use it as local:{directory}");
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : $"{t.Minutes}m{t.Seconds:00}s";
}
