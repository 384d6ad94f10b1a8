using System.CommandLine;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Io;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp evaluate</c>: run samples against their problems' tests and report pass@k.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var samples = new Argument<FileInfo?>("samples") { Description = "Samples JSONL(.gz) with task_id and completion.", Arity = ArgumentArity.ZeroOrOne };
        var problems = new ProblemOptions();
        var flags = new EvaluationFlags();
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Results file (default: SAMPLES_results.jsonl, as human-eval)." };
        var strict = new Option<bool>("--strict") { Description = "Unknown task ids and problems without samples are errors, not warnings." };
        var selfCheck = new Option<bool>("--self-check") { Description = "Run the problems' canonical solutions; all must pass. Validates this machine." };

        var command = new Command("evaluate", "Run every sample against its problem's unit tests in a sandbox and report pass@k.")
        {
            samples, output, strict, selfCheck,
        };
        problems.AddTo(command);
        flags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(samples);
            var check = parse.GetValue(selfCheck);
            if (file is null && !check) throw new UserInputException("evaluate: give a samples file, or --self-check.");
            if (file is not null && check) throw new UserInputException("evaluate: --self-check takes no samples file.");
            var (problemSet, source) = await problems.LoadAsync(parse, ct);
            var samplesPath = check ? WriteCanonicalSamples(problemSet) : file!.FullName;
            var options = flags.Options(parse, samplesPath, problemSet, source) with
            {
                OutputPath = parse.GetValue(output)?.FullName,
                Strict = parse.GetValue(strict),
            };
            if (check) options = options with { Ks = [1] };

            var summary = await flags.EvaluateAsync(parse, options, ct);
            return check ? SelfCheckVerdict(summary, options.ResolvedOutputPath) : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A samples file in a fresh temporary folder whose completions are the canonical solutions.</summary>
    private static string WriteCanonicalSamples(Core.Problems.ProblemSet problems)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("codexsharp-self-check-").FullName, "canonical.jsonl");
        JsonlFile.WriteAllAtomic(path, problems.Problems.Select(p => new JsonObject { ["task_id"] = p.TaskId, ["completion"] = p.CanonicalSolution }));
        return path;
    }

    private static int SelfCheckVerdict(EvaluationSummary summary, string resultsPath)
    {
        var failing = JsonlFile.Read(resultsPath).Where(r => r.Object["passed"]?.GetValue<bool>() != true).ToList();
        if (failing.Count == 0)
        {
            AnsiConsole.MarkupLine($"[green]self-check passed:[/] all {summary.Counts.Passed} canonical solutions pass on this machine.");
            return ExitCodes.Success;
        }
        foreach (var row in failing)
            AnsiConsole.MarkupLineInterpolated($"[red]{row.Object["task_id"]}[/]: {row.Object["result"]}");
        AnsiConsole.MarkupLine($"[red]self-check failed:[/] {failing.Count} canonical solution(s) did not pass.");
        return ExitCodes.RunFailed;
    }
}
