using System.CommandLine;
using CodexSharp.Core;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp generate</c>: sample completions for every problem into a resumable samples file.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var flags = new GenerationFlags();
        var command = new Command("generate", "Sample n completions per problem from a model into a samples file (JSONL); re-running continues where it stopped.");
        flags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await GenerationFlags.RunAsync(flags.Bind(parse), ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
