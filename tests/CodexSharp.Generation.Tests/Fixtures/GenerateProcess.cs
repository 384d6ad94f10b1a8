using System.Diagnostics;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests.Fixtures;

/// <summary>Runs <c>codexsharp generate</c> as a real child process, to the end or until the test kills it.</summary>
public static class GenerateProcess
{
    public static string[] Args(string model, string outPath, int n, params string[] extra) =>
        ["generate", "--model", model, "--problems", TinyProblems.Path, "--n", n.ToString(), "--out", outPath, .. extra];

    /// <summary>
    /// The command line in its own build folder. The copy beside the tests would load this test project's
    /// framework-resolved assemblies instead of the packages the command line was built with.
    /// </summary>
    public static string CliDll
    {
        get
        {
            var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var own = Path.GetFullPath(Path.Combine(here, "..", "..", "CodexSharp.Cli", Path.GetFileName(here), "codexsharp.dll"));
            return File.Exists(own) ? own : CodexSharpProcess.Dll;
        }
    }

    public static ProcessStartInfo StartInfo(string[] args)
    {
        var info = CodexSharpProcess.StartInfo(args);
        info.ArgumentList[0] = CliDll;
        return info;
    }

    /// <summary>Runs the command to its end (at most 3 minutes) and returns its exit code and output.</summary>
    public static async Task<ProcessOutcome> RunAsync(string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = StartInfo(args);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"codexsharp {string.Join(' ', args)} did not finish in 3 minutes.\n{await stdout}\n{await stderr}");
        }
        return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts generate, waits until the samples file holds at least <paramref name="rows"/> complete rows,
    /// then kills it with SIGKILL. Returns false if it exited on its own first.</summary>
    public static async Task<bool> KillAfterRowsAsync(string[] args, string outPath, int rows)
    {
        using var process = Process.Start(StartInfo(args))!;
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

    /// <summary>Newline-terminated rows in <paramref name="path"/> (0 when it does not exist yet).</summary>
    public static int CompleteRows(string path) => TestFiles.CompleteLines(path);
}
