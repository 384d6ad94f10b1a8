using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Execution;
using CodexSharp.Execution.CSharp;

// C# execution benchmarks for the sandboxed C# runner, on MultiPL-E's C# HumanEval programs.
//   samples: every problem's program (a correct completion where we have one, else one that throws), through
//            our runner (warm Roslyn, dotnet exec in a fresh sandbox): samples/s, compile and run ms per
//            sample; then a few of the same programs the naive way (a project per program, `dotnet build`,
//            then `dotnet` on the output, no sandbox), and the ratio.
//   knobs:   one program run again and again under different runtime settings (environment variables),
//            interleaved, to measure what each start-up setting is worth.

var mode = args.FirstOrDefault() ?? "samples";
var datasets = OptionValue("--datasets") ?? FindDatasets();
var problems = File.ReadLines(Path.Combine(datasets, "multipl-e-humaneval-cs", "humaneval-cs-reworded.jsonl"))
    .Select(line => JsonDocument.Parse(line).RootElement)
    .Select(row => (Name: row.GetProperty("name").GetString()!, Prompt: row.GetProperty("prompt").GetString()!, Tests: row.GetProperty("tests").GetString()!))
    .ToList();
var timeout = TimeSpan.FromSeconds(10);

switch (mode)
{
    case "samples":
        await SamplesAsync(IntOption("--workers", 2), IntOption("--naive", 3));
        break;
    case "knobs":
        await KnobsAsync(IntOption("--rounds", 20));
        break;
    default:
        Console.Error.WriteLine("usage: run.sh samples [--workers N] [--naive N] | knobs [--rounds N]");
        return 2;
}
return 0;

string ProgramOf((string Name, string Prompt, string Tests) problem) =>
    problem.Prompt + (HumanEvalCSharpBenchmark.ReferenceCompletions.TryGetValue(problem.Name, out var body) ? body : "        throw new NotImplementedException();") + "\n" + problem.Tests;

async Task SamplesAsync(int workers, int naive)
{
    var programs = problems.Select(ProgramOf).ToList();
    Console.WriteLine($"{programs.Count} MultiPL-E C# programs ({HumanEvalCSharpBenchmark.ReferenceCompletions.Count} with a correct completion, the rest throw), {workers} workers, {Environment.ProcessorCount} cores");
    var clock = Stopwatch.StartNew();
    await using var runner = await CSharpProgramRunner.StartAsync(new CSharpRunnerOptions { Workers = workers });
    var ready = clock.Elapsed.TotalSeconds;
    var results = await Task.WhenAll(programs.Select(program => runner.RunAsync(new ExecutionRequest(program, timeout))));
    var running = clock.Elapsed.TotalSeconds - ready;
    var (compileTotal, compiled) = runner.CompileTime;
    var passed = results.Count(r => r.Passed);
    foreach (var (result, name) in results.Zip(problems.Select(p => p.Name)).Where(pair => pair.First.Passed != HumanEvalCSharpBenchmark.ReferenceCompletions.ContainsKey(pair.Second)))
    {
        Console.WriteLine($"  unexpected: {name}: {result.Result}");
    }
    var ours = programs.Count / running;
    Console.WriteLine($"ours: {ready:F2} s start-up, then {running:F2} s for {programs.Count} programs = {ours:F2} samples/s; {passed} passed");
    Console.WriteLine($"  per sample: compile {compileTotal.TotalMilliseconds / Math.Max(1, compiled):F0} ms (in this process), run {results.Average(r => r.Duration.TotalMilliseconds):F0} ms (sandbox + dotnet start-up + program; median {Median(results.Select(r => r.Duration.TotalMilliseconds)):F0} ms)");

    var naiveSeconds = new List<double>();
    var work = Directory.CreateTempSubdirectory("codexsharp-naive-");
    try
    {
        foreach (var (program, index) in programs.Take(naive).Select((p, i) => (p, i)))
        {
            var directory = Path.Combine(work.FullName, "p" + index);
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "Program.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>disable</Nullable><ImplicitUsings>disable</ImplicitUsings></PropertyGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
            var started = Stopwatch.GetTimestamp();
            var build = Run("dotnet", ["build", "-c", "Debug", "-nologo", "-v:q", "-o", Path.Combine(directory, "out")], directory);
            var run = Run("dotnet", [Path.Combine(directory, "out", "Program.dll")], directory);
            naiveSeconds.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            Console.WriteLine($"  naive {problems[index].Name}: build exit {build}, run exit {run}, {naiveSeconds[^1]:F2} s");
        }
    }
    finally
    {
        work.Delete(recursive: true);
    }
    if (naiveSeconds.Count == 0) return;
    var naiveRate = 1 / naiveSeconds.Average();
    Console.WriteLine($"naive (`dotnet build` of a project per program, then `dotnet` on it, one at a time, no sandbox): {naiveSeconds.Average():F2} s per sample = {naiveRate:F3} samples/s");
    Console.WriteLine($"ratio ours/naive: {ours / naiveRate:F1}x samples/s ({workers} workers against one build at a time; per sample on one worker: {naiveSeconds.Average() / (running * workers / programs.Count):F1}x)");
}

async Task KnobsAsync(int rounds)
{
    var ours = CSharpRunnerOptions.DefaultRuntimeEnvironment;
    var variants = new (string Name, IReadOnlyDictionary<string, string> Environment)[]
    {
        ("runtime defaults", new Dictionary<string, string>()),
        ("invariant globalization", new Dictionary<string, string> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1" }),
        ("ours (invariant, no diagnostics, no tiered PGO)", ours),
        ("ours + TieredCompilation=0", With(ours, "DOTNET_TieredCompilation", "0")),
        ("ours + TC_QuickJitForLoops=0", With(ours, "DOTNET_TC_QuickJitForLoops", "0")),
        ("ours + ReadyToRun=0", With(ours, "DOTNET_ReadyToRun", "0")),
    };
    var program = ProgramOf(problems.First(p => p.Name == "HumanEval_0_has_close_elements"));
    var runners = new List<CSharpProgramRunner>();
    try
    {
        foreach (var variant in variants) runners.Add(await CSharpProgramRunner.StartAsync(new CSharpRunnerOptions { Workers = 1, RuntimeEnvironment = variant.Environment }));
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < variants.Length; i++)
            {
                var result = await runners[i].RunAsync(new ExecutionRequest(program, timeout));
                if (!result.Passed) throw new InvalidOperationException($"{variants[i].Name}: {result.Result}");
                times[i].Add(result.Duration.TotalMilliseconds);
            }
        }
        var baseline = Median(times[0]);
        Console.WriteLine($"one program (HumanEval_0, passes), {rounds} runs per setting, interleaved; wall time per run in the sandbox:");
        for (var i = 0; i < variants.Length; i++)
        {
            Console.WriteLine($"  {variants[i].Name,-50} median {Median(times[i]),6:F0} ms  min {times[i].Min(),6:F0} ms  ratio to runtime defaults {Median(times[i]) / baseline:F2}");
        }
    }
    finally
    {
        foreach (var runner in runners) await runner.DisposeAsync();
    }
}

static IReadOnlyDictionary<string, string> With(IReadOnlyDictionary<string, string> environment, string name, string value) =>
    new Dictionary<string, string>(environment) { [name] = value };

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static int Run(string file, string[] arguments, string directory)
{
    var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var argument in arguments) start.ArgumentList.Add(argument);
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var errors = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    output.Wait();
    errors.Wait();
    return process.ExitCode;
}

string FindDatasets()
{
    var beside = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "shared", "datasets"));
    return Directory.Exists(beside) ? beside : "../shared/datasets";
}

string? OptionValue(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

int IntOption(string name, int fallback) => OptionValue(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
