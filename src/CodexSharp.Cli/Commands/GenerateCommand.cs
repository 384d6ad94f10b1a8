using System.CommandLine;
using CodexSharp.Core;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp generate</c>: sample completions for every problem into a resumable samples file, or (with
/// <c>--task docstring</c>) a docstring for every sample of a samples file.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var flags = new GenerationFlags();
        var task = new Option<string>("--task") { Description = "solve: write code for each problem; docstring: a Codex-D model writes a docstring for each sample of --samples.", DefaultValueFactory = _ => "solve" };
        task.AcceptOnlyFromAmong("solve", "docstring");
        var samples = new Option<FileInfo?>("--samples") { Description = "With --task docstring: the samples (task_id, completion) to describe." };
        var command = new Command("generate", "Sample n completions per problem from a model into a samples file (JSONL); re-running continues where it stopped.") { task, samples };
        var shard = new ShardFlags();
        flags.AddTo(command);
        shard.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var config = flags.Bind(parse) with { Shard = shard.Bind(parse) };
            if (parse.GetValue(task) == "docstring")
            {
                if (config.Shard is not null) throw new UserInputException("--shard: not with --task docstring (shard the samples file instead)");
                var input = parse.GetValue(samples) ?? throw new UserInputException("--samples: required with --task docstring (the samples to write docstrings for)");
                await DocstringGeneration.RunAsync(parse.GetValue(flags.Model)!, input.FullName, config.ProblemsFile, config.Dataset, config.SamplesPath,
                    config.SamplesPerTask, config.Sampling, ct);
                return ExitCodes.Success;
            }
            if (parse.GetValue(samples) is not null) throw new UserInputException("--samples: only read with --task docstring");
            await GenerationFlags.RunAsync(config, ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
