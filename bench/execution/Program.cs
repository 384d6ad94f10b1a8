using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Metrics;
using CodexSharp.Core.Problems;
using CodexSharp.Core.Samples;
using CodexSharp.Execution;

// Execution benchmarks for the sandboxed runner.
//   canonical: the 164 HumanEval canonical programs x R through our runner (sandbox on, a fresh process per
//              program) vs. a baseline that exec()s them one after another in one plain python3 process.
//   samples:   the 16,400 CodeGen-16B HumanEval samples: throughput, passed count, pass@k, and per-sample
//              agreement with a reference results file (e.g. openai/human-eval's) when one is given.

var mode = args.FirstOrDefault() ?? "canonical";
var workers = IntOption("--workers", 2);
var datasets = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "shared", "datasets"));
datasets = OptionValue("--datasets") ?? (Directory.Exists(datasets) ? datasets : "/work/shared/datasets");
var problems = ProblemSet.Load(Path.Combine(datasets, "humaneval", "HumanEval.jsonl.gz"));
var options = new PythonRunnerOptions { Workers = workers };
var timeout = TimeSpan.FromSeconds(3);

switch (mode)
{
    case "canonical":
        await CanonicalAsync(IntOption("--repeat", 20));
        break;
    case "samples":
        await SamplesAsync(OptionValue("--reference"), OptionValue("--output"));
        break;
    default:
        Console.Error.WriteLine("usage: run.sh canonical|samples [--workers N] [--repeat R] [--reference FILE] [--output FILE]");
        return 2;
}
return 0;

async Task CanonicalAsync(int repeat)
{
    var programs = Enumerable.Range(0, repeat).SelectMany(_ => problems.Problems.Select(p => p.CanonicalProgram)).ToList();
    Console.WriteLine($"{programs.Count} programs ({problems.Count} canonical solutions x {repeat}), {workers} workers, {Environment.ProcessorCount} cores");

    var baseline = RunBaseline(programs);
    Console.WriteLine($"baseline (one python3 process, exec() in a loop, no isolation): {baseline.Total:F2} s wall ({baseline.Exec:F2} s in the loop), {baseline.Raised} raised");

    var floor = SpawnFloor(programs.Count);
    Console.WriteLine($"floor (posix_spawn of /bin/true per program, {workers} in parallel, no Python at all): {floor:F2} s wall");

    var started = Stopwatch.StartNew();
    await using var runner = await PythonProgramRunner.StartAsync(options);
    var ready = started.Elapsed.TotalSeconds;
    var results = await Task.WhenAll(programs.Select(program => runner.RunAsync(new ExecutionRequest(program, timeout))));
    var total = started.Elapsed.TotalSeconds;
    var passed = results.Count(r => r.Passed);
    foreach (var (result, index) in results.Select((r, i) => (r, i)).Where(pair => !pair.r.Passed))
    {
        Console.WriteLine($"  not passed: {problems.Problems[index % problems.Count].TaskId}: {result.Result} after {result.Duration.TotalMilliseconds:F0} ms");
    }
    Console.WriteLine($"ours (bubblewrap sandbox, {workers} warm workers, a forked process per program): {total:F2} s wall ({ready:F2} s start-up + {total - ready:F2} s running), {passed}/{programs.Count} passed");
    Console.WriteLine($"ratio ours/baseline: {total / baseline.Total:F2} (wall clock, start-up included on both sides); {(total - ready) / baseline.Exec:F2} (running only)");
    Console.WriteLine($"per program: ours {(total - ready) * 1000 / programs.Count:F2} ms wall with {workers} workers; baseline {baseline.Exec * 1000 / programs.Count:F2} ms; floor {floor * 1000 / programs.Count:F2} ms");
    Console.WriteLine($"ratio floor/baseline: {floor / baseline.Exec:F2} (no design with a fresh process per program can beat this here)");
}

double SpawnFloor(int count)
{
    var clock = Stopwatch.StartNew();
    var lanes = Enumerable.Range(0, workers).Select(_ =>
    {
        var start = new ProcessStartInfo(options.PythonPath) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "baseline.py"));
        start.ArgumentList.Add("--spawn-floor");
        start.ArgumentList.Add((count / workers).ToString(CultureInfo.InvariantCulture));
        return Process.Start(start)!;
    }).ToList();
    foreach (var lane in lanes)
    {
        lane.StandardOutput.ReadToEnd();
        lane.WaitForExit();
        lane.Dispose();
    }
    return clock.Elapsed.TotalSeconds;
}

(double Total, double Exec, int Raised) RunBaseline(IReadOnlyList<string> programs)
{
    var file = Path.Combine(Path.GetTempPath(), $"codexsharp-bench-{Environment.ProcessId}.jsonl");
    File.WriteAllLines(file, programs.Select(p => new JsonObject { ["program"] = p }.ToJsonString()));
    try
    {
        var start = new ProcessStartInfo(options.PythonPath) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "baseline.py"));
        start.ArgumentList.Add(file);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var total = clock.Elapsed.TotalSeconds;
        var report = JsonNode.Parse(output)!;
        return (total, report["seconds"]!.GetValue<double>(), report["raised"]!.GetValue<int>());
    }
    finally
    {
        File.Delete(file);
    }
}

async Task SamplesAsync(string? referencePath, string? outputPath)
{
    var samplesPath = Path.Combine(datasets, "humaneval-samples-codet-codegen16b", "codegen16B_samples_humaneval_format.jsonl.gz");
    var samples = SampleFile.Read(samplesPath);
    var programs = samples.Select(s => problems.TryGet(s.TaskId, out var p) ? p.ProgramFor(s.Completion) : throw new InvalidDataException(s.TaskId)).ToList();
    Console.WriteLine($"{samples.Count} samples from {Path.GetFileName(samplesPath)}, {workers} workers, timeout {timeout.TotalSeconds} s");

    var descriptorsBefore = Directory.GetFiles("/proc/self/fd").Length;
    var started = Stopwatch.StartNew();
    await using var runner = await PythonProgramRunner.StartAsync(options);
    var ready = started.Elapsed.TotalSeconds;
    var results = await Task.WhenAll(programs.Select(program => runner.RunAsync(new ExecutionRequest(program, timeout))));
    var seconds = started.Elapsed.TotalSeconds - ready;
    Console.WriteLine($"{samples.Count / seconds:F1} samples/s ({seconds:F1} s after {ready:F2} s start-up); workers replaced: {runner.WorkersReplaced}");
    Console.WriteLine($"passed {results.Count(r => r.Passed)}, failed {results.Count(r => r.Status == ExecutionStatus.Failed)}, timed out {results.Count(r => r.Status == ExecutionStatus.TimedOut)}");

    var perTask = samples.Zip(results).GroupBy(pair => pair.First.TaskId).Select(g => (N: g.Count(), C: g.Count(pair => pair.Second.Passed))).ToList();
    // openai/human-eval's evaluate_functional_correctness on the same file (the parity this mode checks).
    var humanEval = new Dictionary<int, double> { [1] = 22.12, [10] = 50.38, [100] = 73.78 };
    foreach (var (k, theirs) in humanEval)
    {
        var ours = Math.Round(100 * PassAtK.Mean(perTask, k), 2);
        Console.WriteLine($"pass@{k}: {ours:F2}% (human-eval: {theirs:F2}%, {(ours == theirs ? "equal" : "DIFFERENT")})");
    }
    if (outputPath is not null)
    {
        await File.WriteAllLinesAsync(outputPath, samples.Zip(results).Select(pair => new JsonObject
        {
            ["task_id"] = pair.First.TaskId, ["passed"] = pair.Second.Passed, ["result"] = pair.Second.Result,
            ["duration_ms"] = Math.Round(pair.Second.Duration.TotalMilliseconds, 1),
        }.ToJsonString()));
    }
    Console.WriteLine($".NET descriptors before/after: {descriptorsBefore}/{Directory.GetFiles("/proc/self/fd").Length} (the live pool holds 3 pipes per worker); zombie children: {ZombieChildren()}");
    if (referencePath is not null) CompareWithReference(referencePath, samples, results);
}

void CompareWithReference(string path, IReadOnlyList<Sample> samples, ExecutionResult[] results)
{
    // One row per sample with human-eval's "passed" and "result"; rows are matched by "i" (the sample's position
    // in the samples file) when present, otherwise by order. A partial reference compares what it covers.
    var compared = 0;
    var samePassed = 0;
    var sameText = 0;
    var differences = new List<string>();
    foreach (var (line, order) in File.ReadLines(path).Select((line, order) => (line, order)))
    {
        var theirs = JsonNode.Parse(line)!;
        var i = theirs["i"]?.GetValue<int>() ?? order;
        compared++;
        var passedAgrees = theirs["passed"]!.GetValue<bool>() == results[i].Passed;
        var textAgrees = theirs["result"]!.GetValue<string>() == results[i].Result;
        if (passedAgrees) samePassed++;
        if (textAgrees) sameText++;
        if (!passedAgrees || !textAgrees)
        {
            differences.Add($"  {(passedAgrees ? "text" : "PASSED")} differs: sample {i} {samples[i].TaskId}: ours '{results[i].Result}' | reference '{theirs["result"]}'");
        }
    }
    foreach (var difference in differences.OrderBy(d => d.StartsWith("  text", StringComparison.Ordinal)).Take(40)) Console.WriteLine(difference);
    Console.WriteLine($"agreement with {Path.GetFileName(path)} on {compared} samples: passed {samePassed}/{compared}, result text {sameText}/{compared}");
}

static int ZombieChildren()
{
    var me = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    return Directory.EnumerateDirectories("/proc").Where(dir => int.TryParse(Path.GetFileName(dir), out _)).Count(dir =>
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" && fields[1] == me;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    });
}

string? OptionValue(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

int IntOption(string name, int fallback) => OptionValue(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
