using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CodexSharp.Core.Execution;
using CodexSharp.Execution.Sandbox;

namespace CodexSharp.Execution.CSharp;

/// <summary>
/// Runs compiled programs with <c>dotnet exec</c>, each in a new bubblewrap sandbox of its own: the sandbox the
/// Python workers live in (no network, read-only system directories, nothing of the home or the project,
/// a private size-limited /tmp, an empty environment), with the same rlimits set by prlimit inside it.
/// The assembly never touches the host's disk: bubblewrap copies it from standard input into the sandbox's
/// /tmp/program, which is the program's working directory. bubblewrap is PID 1 of the sandbox's PID
/// namespace and dies with this process, so when the program ends, or is killed at its time limit, the
/// kernel kills every process it started.
/// </summary>
internal sealed class SandboxedDotnet : IDisposable
{
    public const int RuntimeMajorVersion = 10;

    private const string ProgramDirectory = "/tmp/program";
    private const string ProgramPath = ProgramDirectory + "/Program.dll";

    /// <summary>A framework-dependent app needs no more than this beside it.</summary>
    private static readonly string RuntimeConfig =
        $"{{\"runtimeOptions\":{{\"tfm\":\"net{RuntimeMajorVersion}.0\",\"framework\":{{\"name\":\"Microsoft.NETCore.App\",\"version\":\"{RuntimeMajorVersion}.0.0\"}}}}}}";

    private static readonly Dictionary<int, string> SignalNames = new()
    {
        [6] = "SIGABRT", [9] = "SIGKILL", [11] = "SIGSEGV", [24] = "SIGXCPU", [25] = "SIGXFSZ",
    };

    private readonly CSharpRunnerOptions _options;
    private readonly IReadOnlyList<string> _sandbox;
    private readonly string _prlimit;
    private readonly string _dotnet;
    private readonly string _hostDirectory;

    private SandboxedDotnet(CSharpRunnerOptions options, string dotnetRoot, string dotnet, string prlimit, string hostDirectory)
    {
        _options = options;
        DotnetRoot = dotnetRoot;
        _hostDirectory = hostDirectory;
        var runtimeConfig = Path.Combine(hostDirectory, "Program.runtimeconfig.json");
        File.WriteAllText(runtimeConfig, RuntimeConfig);
        // Readable by user nobody, whom the sandbox runs as when this process is root; it holds nothing secret.
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("C# programs run in a Linux sandbox.");
        File.SetUnixFileMode(hostDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(runtimeConfig, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string[] readOnly = dotnetRoot.StartsWith("/usr/", StringComparison.Ordinal) ? [] : [dotnetRoot];
        var command = WorkerLaunch.SandboxCommand(options.BubblewrapPath, readOnly, options.TempDirectoryBytes, ProgramDirectory);
        command.AddRange(["--dir", ProgramDirectory, "--file", "0", ProgramPath, "--ro-bind", runtimeConfig, ProgramDirectory + "/Program.runtimeconfig.json"]);
        foreach (var (name, value) in options.RuntimeEnvironment) command.AddRange(["--setenv", name, value]);
        _sandbox = command;
        _prlimit = prlimit;
        _dotnet = dotnet;
    }

    /// <summary>The .NET installation: the directory of the real dotnet host.</summary>
    public string DotnetRoot { get; }

    /// <summary>
    /// The command that runs one program: the sandbox, the run's nonce, then prlimit with the limits (CPU time as
    /// a backstop a second past the wall-clock limit, which ends the program first, or the request's CPU limit,
    /// rounded up to whole seconds) and dotnet.
    /// </summary>
    public List<string> Command(string nonce, TimeSpan timeout, TimeSpan? cpuLimit = null)
    {
        var command = new List<string>(_sandbox) { "--setenv", ProgramHarness.NonceVariable, nonce, "--", _prlimit };
        if (_options.MemoryLimitBytes > 0) command.Add("--as=" + _options.MemoryLimitBytes);
        if (_options.MaxFileBytes > 0) command.Add("--fsize=" + _options.MaxFileBytes);
        if (_options.MaxProcesses > 0) command.Add("--nproc=" + _options.MaxProcesses);
        if (_options.MaxOpenFiles > 0) command.Add("--nofile=" + _options.MaxOpenFiles);
        var cpuSeconds = cpuLimit is { } cpu ? Math.Max(1, (long)Math.Ceiling(cpu.TotalSeconds)) : (long)Math.Ceiling(timeout.TotalSeconds) + 1;
        command.AddRange([$"--cpu={cpuSeconds}:{cpuSeconds + 1}", "--core=0", "--", _dotnet, "exec", ProgramPath]);
        return command;
    }

    public static SandboxedDotnet Create(CSharpRunnerOptions options)
    {
        var host = WorkerLaunch.FindExecutable(options.DotnetPath)
            ?? throw new Core.UserInputException($"The .NET host '{options.DotnetPath}' was not found. Install the .NET {RuntimeMajorVersion} SDK or point the runner at its dotnet.");
        var dotnet = new FileInfo(host).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(host);
        var root = Path.GetDirectoryName(dotnet)!;
        var prlimit = WorkerLaunch.FindExecutable("prlimit")
            ?? throw new SandboxUnavailableException("The sandbox sets its limits with prlimit, which was not found (Debian/Ubuntu: package util-linux).");
        var hostDirectory = Directory.CreateTempSubdirectory("codexsharp-csharp-").FullName;
        try
        {
            return new SandboxedDotnet(options, root, dotnet, prlimit, hostDirectory);
        }
        catch
        {
            Directory.Delete(hostDirectory, recursive: true);
            throw;
        }
    }

    /// <summary>Runs one compiled program and judges it; <paramref name="timeout"/> counts from the sandbox's start.</summary>
    public async Task<ExecutionResult> RunAsync(byte[] image, TimeSpan timeout, TimeSpan? cpuLimit, CancellationToken cancellationToken)
    {
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var command = Command(nonce, timeout, cpuLimit);
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        // bubblewrap stays in the sandbox as its PID 1, where the program can read its environment: give it none.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";

        var started = Stopwatch.GetTimestamp();
        using var process = await LauncherThread.StartAsync(start);
        var stdout = OutputTail.ReadAsync(process.StandardOutput.BaseStream, _options.MaxOutputBytes, keepEnd: true);
        var stderr = OutputTail.ReadAsync(process.StandardError.BaseStream, _options.MaxOutputBytes, keepEnd: false);
        var timedOut = false;
        try
        {
            await WriteImageAsync(process, image);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
        }
        finally
        {
            await KillAndReapAsync(process);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var duration = Stopwatch.GetElapsedTime(started);
        if (timedOut) return ExecutionResult.Timeout(duration);
        return Judge(nonce, await stdout, await stderr, process.ExitCode, duration, timeout);
    }

    private static async Task WriteImageAsync(Process process, byte[] image)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(image);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // bubblewrap failed before reading it; its stderr and exit code tell why.
        }
    }

    private static async Task KillAndReapAsync(Process process)
    {
        if (!process.HasExited)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }
        await process.WaitForExitAsync(CancellationToken.None);
    }

    private static ExecutionResult Judge(string nonce, string stdout, string stderr, int exitCode, TimeSpan duration, TimeSpan timeout)
    {
        var lastLine = stdout.TrimEnd('\n');
        lastLine = lastLine[(lastLine.LastIndexOf('\n') + 1)..];
        if (lastLine.StartsWith(nonce + " ", StringComparison.Ordinal) && exitCode == 0)
        {
            if (duration > timeout) return ExecutionResult.Timeout(duration);
            var verdict = lastLine[(nonce.Length + 1)..];
            if (verdict == ProgramHarness.PassedWord) return ExecutionResult.Pass(duration);
            if (verdict.StartsWith(ProgramHarness.FailedWord + " ", StringComparison.Ordinal)) return ExecutionResult.Fail(verdict[(ProgramHarness.FailedWord.Length + 1)..], duration);
        }
        // RLIMIT_CPU: the runtime does not act on SIGXCPU at the soft limit, so the kernel's SIGKILL at the hard
        // limit ends it (nothing else in the sandbox sends SIGKILL but the program itself): used up its CPU time.
        if (exitCode is 128 + 24 or 128 + 9) return ExecutionResult.Timeout(duration);
        return ExecutionResult.Fail(DescribeExit(exitCode, stderr), duration);
    }

    /// <summary>A program that ended without its harness's report: how it ended and the runtime's first words on stderr.</summary>
    private static string DescribeExit(int exitCode, string stderr)
    {
        // bubblewrap exits with its program's status, or 128 + the signal that killed it.
        var signal = exitCode - 128;
        var how = signal is > 0 and < 65
            ? $"the program was killed by signal {signal}" + (SignalNames.TryGetValue(signal, out var name) ? $" ({name})" : "")
            : $"the program exited with status {exitCode}";
        var said = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return $"{how} before its tests finished" + (said is null ? "" : ": " + said);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_hostDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Already gone.
        }
    }
}

/// <summary>Reads a stream to its end, keeping no more than a fixed number of bytes of it.</summary>
internal static class OutputTail
{
    public static async Task<string> ReadAsync(Stream stream, int keep, bool keepEnd)
    {
        var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                if (keepEnd)
                {
                    kept.Write(buffer, 0, read);
                    if (kept.Length > 2L * keep + buffer.Length)
                    {
                        var tail = kept.ToArray()[^keep..];
                        kept.SetLength(0);
                        kept.Write(tail);
                    }
                }
                else if (kept.Length < keep)
                {
                    kept.Write(buffer, 0, (int)Math.Min(read, keep - kept.Length));
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke with the sandbox.
        }
        var bytes = kept.ToArray();
        if (keepEnd && bytes.Length > keep) bytes = bytes[^keep..];
        return Encoding.UTF8.GetString(bytes);
    }
}
