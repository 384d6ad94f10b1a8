using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CodexSharp.Execution.CSharp;

/// <summary>What compiling one program gave: its assembly image, or the compiler's first error.</summary>
internal sealed record CompileOutcome(byte[]? Image, string? Error, TimeSpan Duration);

/// <summary>
/// A warm Roslyn compiler: the reference assemblies are read once and shared by every compilation, so a
/// program compiles in tens of milliseconds instead of the seconds a fresh csc takes. Programs are compiled
/// as MultiPL-E compiles them (DEBUG defined, so that Debug.Assert is live), together with
/// <see cref="ProgramHarness"/>, whose Main becomes the entry point and calls the program's.
/// Compiling reads source text only: no analyser, source generator or program code runs.
/// </summary>
internal sealed class CSharpCompiler
{
    /// <summary>Identical programs (common among n samples of one task) compile once; the cache is bounded.</summary>
    private const int CacheEntries = 2048;

    private readonly ImmutableArray<MetadataReference> _references;
    private readonly CSharpParseOptions _parseOptions = new(LanguageVersion.Latest, preprocessorSymbols: ["DEBUG"]);
    private readonly CSharpCompilationOptions _compilationOptions;
    private readonly SyntaxTree _harness;
    private readonly ConcurrentDictionary<string, CompileOutcome> _cache = new(StringComparer.Ordinal);

    private CSharpCompiler(ImmutableArray<MetadataReference> references)
    {
        _references = references;
        _harness = CSharpSyntaxTree.ParseText(ProgramHarness.Source, _parseOptions, path: ProgramHarness.FileName);
        _compilationOptions = new CSharpCompilationOptions(
            OutputKind.ConsoleApplication,
            mainTypeName: ProgramHarness.TypeName,
            optimizationLevel: OptimizationLevel.Release,
            concurrentBuild: false,  // programs are small, and several compile side by side
            deterministic: true);
    }

    /// <summary>The reference pack (Microsoft.NETCore.App.Ref) the compiler reads, for messages.</summary>
    public required string ReferenceDirectory { get; init; }

    /// <summary>Reads the newest reference pack of <paramref name="majorVersion"/> under a .NET installation.</summary>
    public static CSharpCompiler Create(string dotnetRoot, int majorVersion)
    {
        var packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        var directory = (Directory.Exists(packs) ? Directory.GetDirectories(packs) : [])
            .Select(version => (Version: Version.TryParse(Path.GetFileName(version).Split('-')[0], out var parsed) ? parsed : null, Path: Path.Combine(version, "ref", $"net{majorVersion}.0")))
            .Where(pack => pack.Version?.Major == majorVersion && Directory.Exists(pack.Path))
            .OrderByDescending(pack => pack.Version)
            .Select(pack => pack.Path)
            .FirstOrDefault()
            ?? throw new Core.UserInputException($"No .NET {majorVersion} reference assemblies under '{packs}': the C# runner needs the .NET {majorVersion} SDK (Debian/Ubuntu: package dotnet-sdk-{majorVersion}.0).");
        var references = Directory.GetFiles(directory, "*.dll").Order(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
        return new CSharpCompiler(references) { ReferenceDirectory = directory };
    }

    /// <summary>Compiles one program; a program that does not compile gives its first error in source order.</summary>
    public CompileOutcome Compile(string source, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(source, out var cached)) return cached with { Duration = TimeSpan.Zero };
        var started = Stopwatch.GetTimestamp();
        var tree = CSharpSyntaxTree.ParseText(source, _parseOptions, path: "", cancellationToken: cancellationToken);
        var compilation = CSharpCompilation.Create("Program", [tree, _harness], _references, _compilationOptions);
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image, cancellationToken: cancellationToken);
        var outcome = emitted.Success
            ? new CompileOutcome(image.ToArray(), null, Stopwatch.GetElapsedTime(started))
            : new CompileOutcome(null, FirstError(emitted.Diagnostics), Stopwatch.GetElapsedTime(started));
        if (_cache.Count >= CacheEntries) _cache.Clear();
        _cache.TryAdd(source, outcome);
        return outcome;
    }

    /// <summary>"(line,column): error CSnnnn: message" for the error that comes first in the program.</summary>
    private static string FirstError(ImmutableArray<Diagnostic> diagnostics)
    {
        var error = diagnostics
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)
            .OrderBy(diagnostic => diagnostic.Location.SourceTree?.FilePath == ProgramHarness.FileName ? 1 : 0)
            .ThenBy(diagnostic => diagnostic.Location.SourceSpan.Start)
            .First();
        return error.ToString();
    }
}
