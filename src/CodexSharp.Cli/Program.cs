using System.CommandLine;
using CodexSharp.Cli;
using CodexSharp.Cli.Commands;

// Written to a file or a CI log, lines are not wrapped at 80 columns.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;

var root = new RootCommand("CodexSharp: sample, run and score code language models (HumanEval, pass@k).")
{
    EvaluateCommand.Create(),
    GenerateCommand.Create(),
    RunCommand.Create(),
    DatasetsCommand.Create(),
    ScoreCommand.Create(),
    ServeCommand.Create(),
    ModelCommand.Create(),
    RankCommand.Create(),
    CorpusCommand.Create(),
    ReportCommand.Create(),
    MergeCommand.Create(),
    TrainCommand.Create(),
    FinetuneCommand.Create(),
};
return await CommandRunner.InvokeAsync(root, args);
