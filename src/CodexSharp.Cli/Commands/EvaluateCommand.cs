using System.CommandLine;

namespace CodexSharp.Cli.Commands;

internal static class EvaluateCommand
{
    public static Command Create()
    {
        var command = new Command("evaluate", "Run every sample against its problem's tests in a sandbox and report pass@k.");
        var samples = new Argument<FileInfo>("samples") { Description = "Samples JSONL(.gz): task_id, completion." };
        command.Arguments.Add(samples);
        command.SetAction(async (parse, ct) =>
        {
            await Task.Yield();
            Console.WriteLine(parse.GetValue(samples)?.FullName);
            return 0;
        });
        return command;
    }
}
