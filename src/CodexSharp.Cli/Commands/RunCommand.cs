using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Evaluation;
using CodexSharp.Execution;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp run</c>: generate, then evaluate the samples in the sandbox, then print pass@k.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var flags = new GenerationFlags();
        var ks = new Option<string>("--k") { Description = "The k of pass@k, comma-separated (k > n is not reported).", DefaultValueFactory = _ => "1,10,100" };
        var workers = new Option<int>("--workers") { Description = "Sandboxed Python workers (programs run at once).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var timeout = new Option<double>("--timeout") { Description = "Seconds each program may run (wall clock), as human-eval.", DefaultValueFactory = _ => 3.0 };
        var memory = new Option<int>("--memory-mb") { Description = "Address-space limit per program, in MiB.", DefaultValueFactory = _ => 4096 };
        var unsafeNoSandbox = new Option<bool>("--unsafe-no-sandbox") { Description = "Run programs WITHOUT bubblewrap: they can read and change your files and use the network." };
        var command = new Command("run", "Generate samples with a model, evaluate them in the sandbox and report pass@k; re-running continues where it stopped.")
        {
            ks, workers, timeout, memory, unsafeNoSandbox,
        };
        flags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var workerCount = parse.GetValue(workers) is >= 1 and var w ? w : throw new UserInputException("--workers: expected 1 or more.");
            var seconds = parse.GetValue(timeout) is > 0 and var s ? s : throw new UserInputException("--timeout: expected a positive number of seconds.");
            var kList = EvaluateCommand.ParseKs(parse.GetValue(ks)!);
            string samplesPath;
            Core.Problems.ProblemSet problems;
            string source;
            try
            {
                (problems, samplesPath, source) = await flags.GenerateAsync(parse, ct);
            }
            catch (GenerationFailedException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.RunFailed;
            }

            var sandboxed = !parse.GetValue(unsafeNoSandbox);
            if (!sandboxed)
                AnsiConsole.MarkupLine("[bold red]WARNING: --unsafe-no-sandbox: generated programs run with your user's rights, files and network.[/]");
            var options = new EvaluationOptions
            {
                SamplesPath = samplesPath,
                Problems = problems,
                Ks = kList,
                Timeout = TimeSpan.FromSeconds(seconds),
                Concurrency = workerCount,
                RunInfo = new Dictionary<string, string>
                {
                    ["problems_source"] = source,
                    ["model"] = parse.GetValue(flags.Model)!,
                    ["workers"] = workerCount.ToString(),
                    ["sandbox"] = sandboxed ? "bubblewrap" : "none",
                    ["memory_mb"] = parse.GetValue(memory).ToString(),
                },
            };
            await using var runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions
            {
                Workers = workerCount,
                Unsandboxed = !sandboxed,
                MemoryLimitBytes = (long)parse.GetValue(memory) << 20,
            }, ct);
            var summary = await ProgressView.RunAsync(progress =>
                new Evaluator(runner, message => AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {message}"), progress).RunAsync(options, ct));
            SummaryView.Write(summary, Evaluator.SummaryPathFor(options.ResolvedOutputPath));
            return ExitCodes.Success;
        });
        return command;
    }
}
