using System.Diagnostics;
using System.Text;

namespace CodexSharp.Testing;

/// <summary>The outcome of one run of the codexsharp command.</summary>
public sealed record ProcessOutcome(int ExitCode, string StandardOutput, string StandardError)
{
    public string All => StandardOutput + StandardError;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>
/// Starts the real codexsharp command (codexsharp.dll, copied beside a test project that references the
/// Cli project) as a child process.
/// </summary>
public static class CodexSharpProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "codexsharp.dll");

    /// <summary>A start description for `dotnet codexsharp.dll ARGS`, output redirected, in a narrow non-interactive terminal.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["COLUMNS"] = "200";
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    /// <summary>Runs to the end (killing it after <paramref name="limit"/>) and returns exit code and output.</summary>
    public static async Task<ProcessOutcome> RunAsync(IEnumerable<string> args, TimeSpan? limit = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = StartInfo(args, workingDirectory);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"codexsharp {string.Join(' ', args)} did not finish in {limit}.\n{await stdout}\n{await stderr}");
        }
        return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
    }

    public static Task<ProcessOutcome> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>Joins lines with '\n' (fixtures that must not depend on the platform's newline).</summary>
    public static string Lines(params string[] lines) => new StringBuilder().AppendJoin('\n', lines).Append('\n').ToString();
}
