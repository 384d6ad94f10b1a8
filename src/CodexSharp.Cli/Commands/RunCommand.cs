using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Problems;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// <c>codexsharp run</c>: bind and check both stage configs, generate, then evaluate the samples in the sandbox
/// and print pass@k. A bad flag of either stage is reported before anything is loaded or sampled.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var generation = new GenerationFlags();
        var evaluation = new EvaluationFlags();
        var command = new Command("run", "Generate samples with a model, evaluate them in the sandbox and report pass@k; re-running continues where it stopped.");
        var noReport = ReportCommand.NoReportOption();
        var shard = new ShardFlags();
        generation.AddTo(command);
        shard.AddTo(command);
        evaluation.AddTo(command);
        command.Options.Add(noReport);
        command.SetAction(async (parse, ct) =>
        {
            var generate = generation.Bind(parse) with { Shard = shard.Bind(parse) };
            var settings = evaluation.Bind(parse);
            var generated = await GenerationFlags.RunAsync(generate, ct);
            // With --limit N the run is over the first N problems: the others are not "problems without samples".
            var problems = generate.Limit is { } limit
                ? ProblemSet.Create(generated.Problems.Path, generated.Problems.Problems.Take(limit).ToList(), generated.Problems.Sha256)
                : generated.Problems;
            var config = new EvaluationConfig
            {
                SamplesPath = generated.SamplesPath,
                Problems = problems,
                Settings = settings,
                Benchmark = generated.Benchmark,
                RunInfo = new Dictionary<string, string> { ["problems_source"] = generated.Source, ["model"] = generate.Model.Text },
                SamplesShard = generated.Shard,
            };
            await evaluation.EvaluateAsync(config, ct);
            if (!parse.GetValue(noReport) && generated.Shard is null) await ReportCommand.WriteAfterEvaluationAsync(config.ResolvedOutputPath, ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
