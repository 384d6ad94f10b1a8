using System.CommandLine;
using CodexSharp.Core;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp run</c>: generate, then evaluate the samples in the sandbox, then print pass@k.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var generation = new GenerationFlags();
        var evaluation = new EvaluationFlags();
        var command = new Command("run", "Generate samples with a model, evaluate them in the sandbox and report pass@k; re-running continues where it stopped.");
        generation.AddTo(command);
        evaluation.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            EvaluationFlags.ParseKs(parse.GetValue(evaluation.Ks)!); // a bad --k is reported before any sampling
            (Core.Problems.ProblemSet Problems, string SamplesPath, string Source) generated;
            try
            {
                generated = await generation.GenerateAsync(parse, ct);
            }
            catch (GenerationFailedException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.RunFailed;
            }
            var info = new Dictionary<string, string> { ["model"] = parse.GetValue(generation.Model)! };
            var options = evaluation.Options(parse, generated.SamplesPath, generated.Problems, generated.Source, info);
            await evaluation.EvaluateAsync(parse, options, ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
