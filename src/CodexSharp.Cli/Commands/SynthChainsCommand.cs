using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Io;
using CodexSharp.Reporting.Chains;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp datasets synth-chains</c>: write synthetic docstring-chain problems (HumanEval format).</summary>
internal static class SynthChainsCommand
{
    public static Command Create()
    {
        var maxLength = new Option<int>("--max-length") { Description = "Chains of 1 to this many building blocks.", DefaultValueFactory = _ => 10 };
        var perLength = new Option<int>("--per-length") { Description = "Problems per chain length.", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "Seed of the chains and test inputs; the same arguments always give the same file.", DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo>("--out", "-o") { Description = "The problems file to write (JSONL; .gz compresses).", Required = true };
        var command = new Command("synth-chains", "Write problems whose docstrings chain the paper's 13 string building blocks, with reference solutions and tests (evaluate --self-check passes on them).")
        {
            maxLength, perLength, seed, output,
        };
        command.SetAction(parse =>
        {
            var problems = SynthChains.Generate(parse.GetValue(maxLength), parse.GetValue(perLength), parse.GetValue(seed));
            var path = parse.GetValue(output)!.FullName;
            OutputFiles.CreateParentDirectory(path);
            JsonlFile.WriteAllAtomic(path, problems);
            AnsiConsole.MarkupLineInterpolated($"wrote {problems.Count} problems to {path}");
            return ExitCodes.Success;
        });
        return command;
    }
}
