using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Sharding;
using CodexSharp.Generation.Running;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp merge</c>: the shards of a --shard run (results or samples) into the file one machine writes.</summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var shards = new Argument<string[]>("shards") { Description = "The shard outputs (NAME.shard-I-of-N.jsonl), or a folder holding them.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The merged file (results or samples); its summary, record and report go beside it.", Required = true };
        var problems = new Option<FileInfo?>("--problems") { Description = "Results: the problems file, when it is not at the path the shards recorded (it must be the same file)." };
        var noReport = ReportCommand.NoReportOption();
        var command = new Command("merge", "Merge the shards of an evaluate/generate/run --shard I/N run into exactly the file one machine writes.")
        {
            shards, output, problems, noReport,
        };
        command.SetAction(async (parse, ct) =>
        {
            var paths = ShardInputs.Expand(parse.GetValue(shards)!);
            var outPath = parse.GetValue(output)!.FullName;
            var results = ResultsMerge.IsResults(paths[0]);
            var outcome = results
                ? ResultsMerge.Run(paths, outPath, parse.GetValue(problems)?.FullName)
                : SamplesMerge.Run(paths, outPath);
            AnsiConsole.MarkupLineInterpolated($"merged {outcome.Shards} shards, {outcome.Rows} rows, into {outcome.OutputPath} in {outcome.Elapsed.TotalSeconds:0.00} s");
            if (outcome.Summary is { } summary) SummaryView.Write(summary, Core.Io.OutputPaths.Summary(outPath));
            if (results && !parse.GetValue(noReport)) await ReportCommand.WriteAfterEvaluationAsync(outPath, ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
