using CodexSharp.Core.Evaluation;
using Spectre.Console;

namespace CodexSharp.Cli;

/// <summary>
/// Shows an evaluation's progress: a live bar on a terminal, and a plain line every few seconds when the
/// output is a file or a CI log.
/// </summary>
internal static class ProgressView
{
    public static async Task<T> RunAsync<T>(Func<IProgress<EvaluationProgress>, Task<T>> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
            return await work(new PlainProgress());

        var result = default(T)!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new Progress<EvaluationProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Phase, out var task)) tasks[p.Phase] = task = context.AddTask(p.Phase, maxValue: Math.Max(1, p.Total));
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = p.Passed > 0 ? $"{p.Phase} [green]{p.Passed} passed[/]" : p.Phase;
                });
                result = await work(progress);
                foreach (var task in tasks.Values) task.Value = task.MaxValue;
            });
        return result;
    }

    private sealed class PlainProgress : IProgress<EvaluationProgress>
    {
        private readonly ProgressThrottle _throttle = new(ProgressThrottle.PlainLineInterval);
        private readonly Lock _gate = new();
        private string _phase = "";

        public void Report(EvaluationProgress value)
        {
            lock (_gate)
            {
                var force = value.Phase != _phase || value.Done == value.Total;
                if (!_throttle.ShouldReport(force)) return;
                _phase = value.Phase;
                Console.Error.WriteLine($"{value.Phase}: {value.Done}/{value.Total} done, {value.Passed} passed");
            }
        }
    }
}
