using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Cli.Commands;
using CodexSharp.Core.Datasets;
using CodexSharp.Core.Io;
using CodexSharp.Execution;

namespace CodexSharp.Cli;

/// <summary>Runs the parsed command and turns failures into messages and documented exit codes.</summary>
internal static class CommandRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && args.Length > 0)
        {
            // Unknown flags, a flag without its value, a value of the wrong type: bad input, exit 2.
            foreach (var message in ParseErrors.Messages(parse)) Console.Error.WriteLine($"error: {message}");
            Console.Error.WriteLine($"see: {parse.CommandResult.Command.Name} --help");
            return ExitCodes.BadInput;
        }
        try
        {
            // After Ctrl-C or SIGTERM a command gets this long to save its work (train writes a checkpoint) before it is cut off.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
        }
        catch (UserInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"error: config field '{e.Field}': {e.Reason}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is DatasetDownloadException or SandboxUnavailableException or GenerationFailedException or Training.Training.TrainingFailedException)
        {
            Spectre.Console.AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.RunFailed;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted: finished work is saved; run the same command again to continue.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (OutputFiles.IsDiskFull(e))
        {
            Spectre.Console.AnsiConsole.Console.Profile.Out.Writer.Flush();
            Console.Error.WriteLine($"error: {(e is DiskFullException ? e.Message : DiskFullException.Advice)}");
            return ExitCodes.RunFailed;
        }
    }
}
