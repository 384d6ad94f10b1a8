using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Core.Metrics;
using CodexSharp.Core.Problems;
using CodexSharp.Core.Samples;
using CodexSharp.Execution;

// Execution benchmarks for the sandboxed runner.
//   canonical: the 164 HumanEval canonical programs x R through our runner (sandbox on, a fresh process per
//              program), with --workers 1 and 2, in process and through `evaluate` end to end, against two floors
//              measured in the same run: exec() of the same programs one after another in one plain python3
//              process, and a bare fork per program in one python3 process per core.
//   apps:      APPS samples per second (the CodeRL problems' human solutions) against HumanEval canonical, one runner.
//   samples:   the 16,400 CodeGen-16B HumanEval samples: throughput, passed count, pass@k, and per-sample
//              agreement with a reference results file (e.g. openai/human-eval's) when one is given.

var mode = args.FirstOrDefault() ?? "canonical";
var workerCounts = (OptionValue("--workers") ?? "1,2").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
var workers = workerCounts[^1];
var cli = OptionValue("--cli") is { } cliPath && cliPath != "none" ? cliPath : null;
var datasets = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "shared", "datasets"));
datasets = OptionValue("--datasets") ?? (Directory.Exists(datasets) ? datasets : "../shared/datasets");
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
    case "apps":
        await AppsThroughput.RunAsync(datasets, problems, options, IntOption("--repeat", 2));
        break;
    default:
        Console.Error.WriteLine("usage: run.sh canonical [--workers 1,2] [--repeat R] | samples [--workers N] [--reference FILE] [--output FILE] | apps [--workers N] [--repeat R]");
        return 2;
}
return 0;

async Task CanonicalAsync(int repeat)
{
    // Every contender runs the same programs. CPU seconds (this process and every child it reaped) are printed
    // beside wall seconds: on a machine shared with other work, the wall clock also measures the neighbours.
    var programs = Enumerable.Range(0, repeat).SelectMany(_ => problems.Problems.Select(p => p.CanonicalProgram)).ToList();
    var lanes = Environment.ProcessorCount;
    Console.WriteLine($"{programs.Count} programs ({problems.Count} canonical solutions x {repeat}), {Environment.ProcessorCount} cores, load average {LoadAverage()} before");
    var file = Path.Combine(Path.GetTempPath(), $"codexsharp-bench-{Environment.ProcessId}.jsonl");
    File.WriteAllLines(file, programs.Select(p => new JsonObject { ["program"] = p }.ToJsonString()));
    var rows = new List<(string Name, double Wall, double Cpu)>();
    try
    {
        var exec = Measure(() => RunPython(file));
        var floor = exec.Value.Seconds;
        Row("exec floor: one python3, exec() in a loop, no isolation", floor, exec.Cpu, $"{exec.Value.Raised} raised");
        var lanesText = lanes.ToString(CultureInfo.InvariantCulture);
        var fork = Measure(() => Lanes(lanes, lane => RunPython("--fork-floor", lane.ToString(CultureInfo.InvariantCulture), lanesText, file)));
        Row($"fork floor: fork per program, {lanes} python3 at once, no sandbox/.NET", fork.Wall, fork.Cpu, $"{fork.Value.Sum(r => r.Raised)} raised");
        var fork2 = Measure(() => Lanes(lanes, lane => RunPython("--fork2-floor", lane.ToString(CultureInfo.InvariantCulture), lanesText, file)));
        Row($"two-process fork floor: two forks per program, {lanes} python3 at once", fork2.Wall, fork2.Cpu, $"{fork2.Value.Sum(r => r.Raised)} raised");
        var spawn = Measure(() => Lanes(lanes, _ => RunPython("--spawn-floor", (programs.Count / lanes).ToString(CultureInfo.InvariantCulture))));
        Row($"spawn floor: posix_spawn(/bin/true) per program, {lanes} at once", spawn.Wall, spawn.Cpu, "");
        // The same problems judged apart (the default): the sample's code in one process, check() in another.
        var apart = Enumerable.Range(0, repeat).SelectMany(_ => problems.Problems)
            .Select(p => new ExecutionRequest(p.Prompt + p.CanonicalSolution, timeout) { Judge = HumanEvalBenchmark.JudgeOf(p) }).ToList();
        var together = programs.Select(p => new ExecutionRequest(p, timeout)).ToList();
        foreach (var n in workerCounts)
        {
            var ours = await MeasureAsync(() => RunOursAsync(together, n));
            Row($"ours, runner, tests in the sample's process, --workers {n}", ours.Wall, ours.Cpu, $"{ours.Value.Ready:F2} s start-up, {ours.Value.Passed}/{programs.Count} passed");
            var judged = await MeasureAsync(() => RunOursAsync(apart, n));
            Row($"ours, runner, judged apart (default), --workers {n}", judged.Wall, judged.Cpu, $"{judged.Value.Ready:F2} s start-up, {judged.Value.Passed}/{programs.Count} passed");
        }
        if (cli is not null)
        {
            var samples = Path.Combine(Path.GetTempPath(), $"codexsharp-bench-{Environment.ProcessId}-canonical.jsonl");
            File.WriteAllLines(samples, Enumerable.Range(0, repeat).SelectMany(_ => problems.Problems)
                .Select(p => new JsonObject { ["task_id"] = p.TaskId, ["completion"] = p.CanonicalSolution }.ToJsonString()));
            try
            {
                foreach (var n in workerCounts)
                {
                    var run = Measure(() => RunCli(samples, n, report: false));
                    Row($"ours, `evaluate --no-report` end to end, --workers {n}", run.Wall, run.Cpu, run.Value);
                }
                var theirWay = Measure(() => RunCli(samples, workers, report: false, "--tests-in-sample-process"));
                Row($"ours, the same --tests-in-sample-process, --workers {workers}", theirWay.Wall, theirWay.Cpu, theirWay.Value);
                // The HTML report evaluate writes by default is the report stage run on the results: timed apart.
                var reported = Measure(() => RunCli(samples, workers, report: true));
                Row($"ours, `evaluate` with its report (default), --workers {workers}", reported.Wall, reported.Cpu, reported.Value);
            }
            finally
            {
                foreach (var path in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(samples) + "*")) File.Delete(path);
                foreach (var path in Directory.GetDirectories(Path.GetTempPath(), Path.GetFileNameWithoutExtension(samples) + "*")) Directory.Delete(path, recursive: true);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"{"",-62} {"wall s",7} {"/exec",6} {"/fork",6} {"/fork2",6} {"CPU s",7} {"/exec",6}");
        foreach (var (name, wall, cpu) in rows)
        {
            Console.WriteLine($"{name,-62} {wall,7:F2} {wall / floor,6:F2} {wall / fork.Wall,6:F2} {wall / fork2.Wall,6:F2} {cpu,7:F2} {cpu / exec.Cpu,6:F2}");
        }
        Console.WriteLine($"per program: exec floor {floor * 1000 / programs.Count:F2} ms; fork floor {fork.Wall * 1000 / programs.Count:F2} ms wall, {fork.Cpu * 1000 / programs.Count:F2} ms CPU; load average {LoadAverage()} after");
        Console.WriteLine("/exec: wall against the exec floor's loop (one core); /fork, /fork2: wall against the one- and two-process fork floors; CPU /exec: CPU against the exec floor's whole process");
    }
    finally
    {
        File.Delete(file);
    }

    void Row(string name, double wall, double cpu, string note)
    {
        rows.Add((name, wall, cpu));
        Console.WriteLine($"{name}: {wall:F2} s wall, {cpu:F2} s CPU{(note.Length > 0 ? "; " + note : "")}");
    }
}

async Task<(double Ready, int Passed)> RunOursAsync(List<ExecutionRequest> requests, int n)
{
    var started = Stopwatch.StartNew();
    double ready;
    ExecutionResult[] results;
    await using (var runner = await PythonProgramRunner.StartAsync(options with { Workers = n }))
    {
        ready = started.Elapsed.TotalSeconds;
        results = await Task.WhenAll(requests.Select(request => runner.RunAsync(request)));
    }
    foreach (var (result, index) in results.Select((r, i) => (r, i)).Where(pair => !pair.r.Passed))
    {
        Console.WriteLine($"  not passed: {problems.Problems[index % problems.Count].TaskId}: {result.Result} after {result.Duration.TotalMilliseconds:F0} ms");
    }
    return (ready, results.Count(r => r.Passed));
}

string RunCli(string samples, int n, bool report, params string[] extra)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var argument in new[] { cli!, "evaluate", samples, "--problems", Path.Combine(datasets, "humaneval", "HumanEval.jsonl.gz"),
                 "--workers", n.ToString(CultureInfo.InvariantCulture), "--k", "1", "-o", samples + "_results.jsonl" })
    {
        start.ArgumentList.Add(argument);
    }
    if (!report) start.ArgumentList.Add("--no-report");
    foreach (var argument in extra) start.ArgumentList.Add(argument);
    using var process = Process.Start(start)!;
    var error = process.StandardError.ReadToEndAsync();
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"evaluate exited with {process.ExitCode}: {output}{error.Result}");
    var summary = JsonNode.Parse(File.ReadAllText(samples + "_results.summary.json"))!;
    return $"{summary["counts"]!["passed"]} passed";
}

(double Seconds, int Raised) RunPython(params string[] arguments)
{
    var start = new ProcessStartInfo(options.PythonPath) { RedirectStandardOutput = true, UseShellExecute = false };
    start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "baseline.py"));
    foreach (var argument in arguments) start.ArgumentList.Add(argument);
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    var report = JsonNode.Parse(output)!;
    return (report["seconds"]!.GetValue<double>(), report["raised"]!.GetValue<int>());
}

static List<T> Lanes<T>(int count, Func<int, T> lane)
{
    var running = Enumerable.Range(0, count).Select(i => Task.Factory.StartNew(() => lane(i), TaskCreationOptions.LongRunning)).ToArray();
    Task.WaitAll(running);
    return running.Select(t => t.Result).ToList();
}

static (T Value, double Wall, double Cpu) Measure<T>(Func<T> work)
{
    var cpu = CpuSeconds();
    var clock = Stopwatch.StartNew();
    var value = work();
    return (value, clock.Elapsed.TotalSeconds, CpuSeconds() - cpu);
}

static async Task<(T Value, double Wall, double Cpu)> MeasureAsync<T>(Func<Task<T>> work)
{
    var cpu = CpuSeconds();
    var clock = Stopwatch.StartNew();
    var value = await work();
    return (value, clock.Elapsed.TotalSeconds, CpuSeconds() - cpu);
}

// CPU seconds of this process and every descendant reaped so far (utime, stime, cutime, cstime in /proc/self/stat):
// a worker's programs are reaped by the worker, the worker by bubblewrap, bubblewrap by this process.
static double CpuSeconds()
{
    var stat = File.ReadAllText("/proc/self/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return Enumerable.Range(11, 4).Sum(i => double.Parse(fields[i], CultureInfo.InvariantCulture)) / 100.0;
}

static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

async Task SamplesAsync(string? referencePath, string? outputPath)
{
    // Two evaluations of the same 16,400 samples in one run: human-eval's rule (a 3 s wall-clock limit and
    // nothing else) through the runner, which is the reference, and `evaluate`'s defaults through the Evaluator.
    // Every verdict must agree; the times say what the defaults save.
    var samplesPath = Path.Combine(datasets, "humaneval-samples-codet-codegen16b", "codegen16B_samples_humaneval_format.jsonl.gz");
    var samples = SampleFile.Read(samplesPath);
    var programs = samples.Select(s => problems.TryGet(s.TaskId, out var p) ? p.ProgramFor(s.Completion) : throw new InvalidDataException(s.TaskId)).ToList();
    var defaults = new EvaluationSettings { Workers = workers };
    Console.WriteLine($"{samples.Count} samples from {Path.GetFileName(samplesPath)}, {workers} workers, load average {LoadAverage()} before");

    var descriptorsBefore = Directory.GetFiles("/proc/self/fd").Length;
    var clock = Stopwatch.StartNew();
    ExecutionResult[] reference;
    await using (var runner = await PythonProgramRunner.StartAsync(options))
    {
        reference = await Task.WhenAll(programs.Select(program => runner.RunAsync(new ExecutionRequest(program, timeout))));
    }
    var referenceSeconds = clock.Elapsed.TotalSeconds;
    var referenceTimeouts = reference.Where(r => r.Status == ExecutionStatus.TimedOut).ToList();
    Console.WriteLine($"human-eval's rule (3 s wall clock), runner: {referenceSeconds:F1} s; passed {reference.Count(r => r.Passed)}, failed {reference.Count(r => r.Status == ExecutionStatus.Failed)}, "
        + $"timed out {referenceTimeouts.Count} ({referenceTimeouts.Sum(r => r.Duration.TotalSeconds):F1} s of worker time on them)");
    PrintPassAtK(reference.Select(r => r.Passed).ToList());

    var folder = Directory.CreateTempSubdirectory("codexsharp-bench-samples-").FullName;
    try
    {
        var results = outputPath ?? Path.Combine(folder, "defaults_results.jsonl");
        var config = new EvaluationConfig { SamplesPath = samplesPath, Problems = problems, OutputPath = results, Settings = defaults };
        clock.Restart();
        var summary = await new Evaluator(async token => (IProgramRunner)await PythonProgramRunner.StartAsync(options, token)).RunAsync(config);
        var defaultSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"evaluate's defaults (3 s wall clock, CPU limit: {defaults.CpuLimitRule}), Evaluator: {defaultSeconds:F1} s; passed {summary.Counts.Passed}, failed {summary.Counts.Failed}, "
            + $"timed out {summary.Timeouts.Count} ({summary.Timeouts.Seconds:F1} s of worker time on them, {summary.Timeouts.ShareOfRun:P0} of the run)");
        var rows = JsonlFile.Read(results).Select(r => r.Object).ToList();
        PrintPassAtK(rows.Select(r => r["passed"]!.GetValue<bool>()).ToList());
        Console.WriteLine($"time: defaults {defaultSeconds:F1} s against human-eval's rule {referenceSeconds:F1} s: {defaultSeconds / referenceSeconds:F2}x");

        // Verdicts against the reference. Samples that import torch are set aside: their verdict depends on what is installed.
        var torch = new System.Text.RegularExpressions.Regex(@"^\s*(import|from)\s+torch\b", System.Text.RegularExpressions.RegexOptions.Multiline);
        var setAside = samples.Count(s => torch.IsMatch(s.Completion));
        var passedDiffer = new List<string>();
        var textDiffer = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            if (torch.IsMatch(samples[i].Completion)) continue;
            var ours = rows[i]["result"]!.GetValue<string>();
            if (rows[i]["passed"]!.GetValue<bool>() != reference[i].Passed)
                passedDiffer.Add($"  PASSED differs: sample {i} {samples[i].TaskId}: defaults '{ours}' | reference '{reference[i].Result}' ({reference[i].Duration.TotalSeconds:F2} s wall, {reference[i].CpuTime?.TotalSeconds:F2} s CPU)");
            else if (ours != reference[i].Result) textDiffer++;
        }
        foreach (var line in passedDiffer.Take(40)) Console.WriteLine(line);
        Console.WriteLine($"verdict differences against human-eval's rule: {passedDiffer.Count} (result texts: {textDiffer} more), {samples.Count - setAside} samples compared, {setAside} importing torch set aside");

        // The margin of the CPU-time limit: the most CPU any program that finished used, and the timeouts it cannot shorten.
        var finished = reference.Where(r => r.Status != ExecutionStatus.TimedOut).ToList();
        var slowest = finished.MaxBy(r => r.CpuTime ?? TimeSpan.Zero)!;
        var cpuLimit = defaults.CpuLimitFor(timeout);
        Console.WriteLine($"margin: the most CPU a finished program used was {slowest.CpuTime?.TotalSeconds:F3} s ({slowest.Duration.TotalSeconds:F3} s wall; slowest wall {finished.Max(r => r.Duration.TotalSeconds):F3} s), "
            + $"against a CPU limit of {cpuLimit?.TotalSeconds:F2} s");
        // A busy loop with a core to itself uses about one CPU second per second; on a machine with more runnable
        // processes than cores it gets less, and the wall clock ends it before the CPU limit can.
        var share = referenceTimeouts.Select(r => (r.CpuTime ?? TimeSpan.Zero) / r.Duration).ToList();
        Console.WriteLine($"the {referenceTimeouts.Count} timeouts of the reference got {(share.Count > 0 ? share.Average() : 0):P0} of a core on average while they ran "
            + $"({share.Count(x => x >= 0.8)} at least 80%, {share.Count(x => x < 0.1)} under 10%); {referenceTimeouts.Count(r => r.CpuTime >= cpuLimit)} reached the CPU limit within the 3 s");
        if (referencePath is not null) CompareWithReference(referencePath, samples, rows);
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
    Console.WriteLine($".NET descriptors before/after: {descriptorsBefore}/{Directory.GetFiles("/proc/self/fd").Length}; zombie children: {ZombieChildren()}; load average {LoadAverage()} after");
}

void PrintPassAtK(IReadOnlyList<bool> passed)
{
    var samples = SampleFile.Read(Path.Combine(datasets, "humaneval-samples-codet-codegen16b", "codegen16B_samples_humaneval_format.jsonl.gz"));
    var perTask = samples.Zip(passed).GroupBy(pair => pair.First.TaskId).Select(g => (N: g.Count(), C: g.Count(pair => pair.Second))).ToList();
    // openai/human-eval's evaluate_functional_correctness on the same file.
    var humanEval = new Dictionary<int, double> { [1] = 22.12, [10] = 50.38, [100] = 73.78 };
    Console.WriteLine("  " + string.Join("; ", humanEval.Select(pair =>
    {
        var ours = Math.Round(100 * PassAtK.Mean(perTask, pair.Key), 2);
        return $"pass@{pair.Key} {ours:F2}% (human-eval {pair.Value:F2}%, {(ours == pair.Value ? "equal" : "DIFFERENT")})";
    })));
}

void CompareWithReference(string path, IReadOnlyList<Sample> samples, IReadOnlyList<JsonObject> rows)
{
    // One row per sample with another harness's "passed" and "result"; rows are matched by "i" (the sample's
    // position in the samples file) when present, otherwise by order. A partial reference compares what it covers.
    var compared = 0;
    var samePassed = 0;
    var sameText = 0;
    var differences = new List<string>();
    foreach (var (line, order) in File.ReadLines(path).Select((line, order) => (line, order)))
    {
        var theirs = JsonNode.Parse(line)!;
        var i = theirs["i"]?.GetValue<int>() ?? order;
        compared++;
        var ours = rows[i]["result"]!.GetValue<string>();
        var passedAgrees = theirs["passed"]!.GetValue<bool>() == rows[i]["passed"]!.GetValue<bool>();
        var textAgrees = theirs["result"]!.GetValue<string>() == ours;
        if (passedAgrees) samePassed++;
        if (textAgrees) sameText++;
        if (!passedAgrees || !textAgrees)
        {
            differences.Add($"  {(passedAgrees ? "text" : "PASSED")} differs: sample {i} {samples[i].TaskId}: ours '{ours}' | reference '{theirs["result"]}'");
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
