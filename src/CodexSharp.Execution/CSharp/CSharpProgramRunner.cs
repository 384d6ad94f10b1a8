using System.Diagnostics;
using CodexSharp.Core.Execution;
using CodexSharp.Execution.Sandbox;

namespace CodexSharp.Execution.CSharp;

/// <summary>
/// Runs C# programs the way MultiPL-E judges them (compiled with DEBUG defined; the program's Main runs its
/// Debug.Assert tests), but fast: a warm Roslyn compiler in this process turns each program into an
/// in-memory assembly, and a fresh <c>dotnet exec</c> runs it inside a new bubblewrap sandbox of its own, with
/// the Python runner's sandbox and rlimits. The harness compiled into the program reports the verdict
/// (see <see cref="ProgramHarness"/>); a program that does not compile fails with the compiler's first error.
/// </summary>
public sealed class CSharpProgramRunner : IProgramRunner
{
    private readonly CSharpCompiler _compiler;
    private readonly SandboxedDotnet _dotnet;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _shutdown = new();
    private long _compileTicks;
    private long _compiled;

    private CSharpProgramRunner(CSharpRunnerOptions options, CSharpCompiler compiler, SandboxedDotnet dotnet)
    {
        Options = options;
        _compiler = compiler;
        _dotnet = dotnet;
        _slots = new SemaphoreSlim(options.Workers, options.Workers);
    }

    /// <summary>The options in force.</summary>
    public CSharpRunnerOptions Options { get; }

    /// <summary>Time spent compiling so far, and how many programs it compiled (cache hits excluded).</summary>
    public (TimeSpan Total, long Programs) CompileTime => (TimeSpan.FromTicks(Interlocked.Read(ref _compileTicks)), Interlocked.Read(ref _compiled));

    /// <summary>
    /// Finds the .NET installation, reads its reference assemblies, warms the compiler up and runs one program
    /// in the sandbox to prove it works here. Throws <see cref="SandboxUnavailableException"/> when bubblewrap is
    /// missing or cannot build the sandbox, and <see cref="Core.UserInputException"/> when .NET is not found.
    /// </summary>
    public static async Task<CSharpProgramRunner> StartAsync(CSharpRunnerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Workers < 1 || options.Workers > PythonRunnerOptions.MaxWorkers)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers, $"Workers must be between 1 and {PythonRunnerOptions.MaxWorkers} (four per core).");
        }
        if (options.MaxOpenFiles is > 0 and < 32) throw new ArgumentOutOfRangeException(nameof(options), "MaxOpenFiles must be 0 (no limit) or at least 32.");
        if (options.MaxOutputBytes < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxOutputBytes cannot be negative.");
        var dotnet = SandboxedDotnet.Create(options);
        var compiler = await Task.Run(() => CSharpCompiler.Create(dotnet.DotnetRoot, SandboxedDotnet.RuntimeMajorVersion), cancellationToken);
        var runner = new CSharpProgramRunner(options, compiler, dotnet);
        try
        {
            var check = await runner.RunAsync(new ExecutionRequest(WarmUpProgram, TimeSpan.FromSeconds(30)), cancellationToken);
            if (!check.Passed && check.Result.Contains("bwrap:", StringComparison.Ordinal)) throw new SandboxUnavailableException("bubblewrap could not create the sandbox: " + check.Result);
            if (!check.Passed) throw new InvalidOperationException("The C# runner's check program did not pass on this machine: " + check.Result);
            return runner;
        }
        catch
        {
            await runner.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<ExecutionResult> RunAsync(ExecutionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        await _slots.WaitAsync(linked.Token);
        try
        {
            var outcome = await CompileAsync(request.Program, linked.Token);
            if (outcome.Image is null) return ExecutionResult.Fail(outcome.Error!, TimeSpan.Zero);
            return await _dotnet.RunAsync(outcome.Image, request.Timeout, request.CpuLimit, linked.Token);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<CompileOutcome> CompileAsync(string program, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Options.CompileTimeLimit);
        try
        {
            var outcome = await Task.Run(() => _compiler.Compile(program, limit.Token), limit.Token);
            if (outcome.Duration > TimeSpan.Zero)
            {
                Interlocked.Add(ref _compileTicks, outcome.Duration.Ticks);
                Interlocked.Increment(ref _compiled);
            }
            return outcome;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CompileOutcome(null, $"the compiler did not finish with the program within {Options.CompileTimeLimit.TotalSeconds:0} s", Options.CompileTimeLimit);
        }
    }

    /// <summary>
    /// Abandons what is still running (each sandbox is killed with everything in it) and deletes the runner's
    /// private files; no process of this runner outlives it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested) return;
        await _shutdown.CancelAsync();
        for (var i = 0; i < Options.Workers; i++) await _slots.WaitAsync();
        _dotnet.Dispose();
        _slots.Dispose();
        _shutdown.Dispose();
    }

    private const string WarmUpProgram = """
        using System.Collections.Generic;
        using System.Diagnostics;
        using System.Linq;
        class Problem {
            public static long Sum(List<long> values) {
                return values.Sum();
            }
            public static void Main(string[] args) {
                Debug.Assert(Sum(new List<long>(new long[]{1L, 2L, 3L})) == 6L);
            }
        }
        """;
}
