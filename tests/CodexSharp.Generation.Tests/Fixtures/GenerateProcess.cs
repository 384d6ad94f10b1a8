using System.Diagnostics;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests.Fixtures;

/// <summary>Runs <c>codexsharp generate</c> as a real child process, to the end or until the test kills it.</summary>
public static class GenerateProcess
{
    public static string[] Args(string model, string outPath, int n, params string[] extra) =>
        ["generate", "--model", model, "--problems", TinyProblems.Path, "--n", n.ToString(), "--out", outPath, .. extra];

    public static Task<ProcessOutcome> RunAsync(string[] args, IReadOnlyDictionary<string, string?>? environment = null) =>
        CodexSharpProcess.RunAsync(args, TimeSpan.FromMinutes(3), environment: environment);

    /// <summary>Starts generate, waits until the samples file holds at least <paramref name="rows"/> complete rows,
    /// then kills it with SIGKILL. Returns false if it exited on its own first.</summary>
    public static async Task<bool> KillAfterRowsAsync(string[] args, string outPath, int rows)
    {
        var info = CodexSharpProcess.StartInfo(args);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) return false;
            if (CompleteRows(outPath) >= rows)
            {
                process.Kill(entireProcessTree: false); // SIGKILL on Unix
                await process.WaitForExitAsync();
                return true;
            }
            await Task.Delay(5);
        }
        process.Kill();
        throw new TimeoutException("generate never wrote the rows the test waited for.");
    }

    private static int CompleteRows(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var count = 0;
            int b;
            while ((b = stream.ReadByte()) >= 0) if (b == '\n') count++;
            return count;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}
