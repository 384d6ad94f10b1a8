using CodexSharp.Generation.Running;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// Shows a generation run: a live bar with samples, tokens/s and time left on a terminal; a plain line every
/// few seconds when the output is a file or a CI log.
/// </summary>
internal static class GenerationProgressView
{
    public static async Task<T> RunAsync<T>(Func<Action<GenerationProgress>, Task<T>> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsErrorRedirected || Console.IsOutputRedirected)
        {
            var plain = new PlainLines();
            return await work(plain.Report);
        }
        var result = default(T)!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TokenRateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("sampling", maxValue: 1);
                result = await work(p =>
                {
                    task.MaxValue = Math.Max(1, p.SamplesTotal);
                    task.Value = p.SamplesDone;
                    task.Description = $"sampling {p.SamplesDone}/{p.SamplesTotal}";
                    task.State.Update<double>("rate", _ => Rate(p));
                    task.State.Update<bool>("estimated", _ => p.TokensEstimated);
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static double Rate(GenerationProgress p) => p.Elapsed.TotalSeconds > 0 ? p.TokensWritten / p.Elapsed.TotalSeconds : 0;

    /// <summary>Time left at the rate this run has sampled so far (samples already in the file do not count).</summary>
    private static TimeSpan? Eta(GenerationProgress p)
    {
        if (p.SamplesWritten == 0) return null;
        var left = p.SamplesTotal - p.SamplesDone;
        return TimeSpan.FromSeconds(p.Elapsed.TotalSeconds / p.SamplesWritten * left);
    }

    private sealed class TokenRateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var rate = task.State.Get<double>("rate");
            var estimated = task.State.Get<bool>("estimated");
            return new Text($"{(estimated ? "~" : "")}{rate:0.0} tok/s");
        }
    }

    private sealed class PlainLines
    {
        private readonly ProgressThrottle _throttle = new(ProgressThrottle.PlainLineInterval);

        public void Report(GenerationProgress p)
        {
            if (!_throttle.ShouldReport(force: p.SamplesDone >= p.SamplesTotal || p.SamplesWritten == 0)) return;
            var eta = Eta(p) is { } t ? $", about {t:hh\\:mm\\:ss} left" : "";
            Console.Error.WriteLine($"sampling: {p.SamplesDone}/{p.SamplesTotal} samples, {(p.TokensEstimated ? "~" : "")}{Rate(p):0.0} tokens/s{eta}");
        }
    }
}
