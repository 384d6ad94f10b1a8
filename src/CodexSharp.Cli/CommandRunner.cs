using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Core.Datasets;
using CodexSharp.Execution;

namespace CodexSharp.Cli;

/// <summary>Runs the parsed command and turns failures into messages and documented exit codes.</summary>
internal static class CommandRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UserInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is DatasetDownloadException or SandboxUnavailableException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.RunFailed;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted: finished work is saved; run the same command again to continue.");
            return ExitCodes.Interrupted;
        }
    }
}
