using System.CommandLine;
using CodexSharp.Cli;
using CodexSharp.Cli.Commands;

var root = new RootCommand("CodexSharp: sample, run and score code language models (HumanEval, pass@k).")
{
    EvaluateCommand.Create(),
};
return await CommandRunner.InvokeAsync(root, args);
