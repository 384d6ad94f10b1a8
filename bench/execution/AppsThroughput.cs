using System.Diagnostics;
using System.Globalization;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Problems;
using CodexSharp.Execution;

/// <summary>
/// `run.sh apps`: APPS samples per second against HumanEval's in the same run, on one warm runner. The APPS
/// samples are the human solutions (solutions.json) of the five CodeRL train problems in ../shared/datasets/
/// apps-samples, each judged against all of its problem's cases (4 s per case, APPS's rule); the HumanEval ones
/// are its 164 canonical programs. HumanEval runs before and after APPS, and the ratio uses the mean of the two,
/// so that a neighbour that comes or goes during the run weighs on both sides.
/// </summary>
internal static class AppsThroughput
{
    public static async Task RunAsync(string datasets, ProblemSet humanEval, PythonRunnerOptions options, int repeat)
    {
        var folder = CopyProblems(Path.Combine(datasets, "apps-samples", "coderl_train"));
        try
        {
            var apps = AppsBenchmark.Instance.Load(folder);
            var samples = Enumerable.Range(0, repeat).SelectMany(_ => apps.Problems.SelectMany(p =>
                SolutionsOf(p).Select(code => (Problem: p, Code: code)))).ToList();
            var cases = samples.Sum(s => s.Problem.Row["test_count"]!.GetValue<int>());
            var programs = Enumerable.Range(0, repeat).SelectMany(_ => humanEval.Problems.Select(p => p.CanonicalProgram)).ToList();
            Console.WriteLine($"APPS: {samples.Count} samples ({samples.Count / repeat} human solutions of {apps.Count} problems x {repeat}), {cases} test cases; "
                + $"HumanEval: {programs.Count} canonical programs; --workers {options.Workers}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} before");
            await using var runner = await PythonProgramRunner.StartAsync(options);
            var judge = new AppsJudge(runner);
            var limits = new RunLimits(TimeSpan.FromSeconds(4));

            var before = await TimeAsync(() => Task.WhenAll(programs.Select(p => runner.RunAsync(new ExecutionRequest(p, TimeSpan.FromSeconds(3))))));
            var appsRun = await TimeAsync(() => Task.WhenAll(samples.Select(s => judge.RunAsync(s.Problem, s.Code, limits, CancellationToken.None))));
            var after = await TimeAsync(() => Task.WhenAll(programs.Select(p => runner.RunAsync(new ExecutionRequest(p, TimeSpan.FromSeconds(3))))));

            var humanEvalRate = programs.Count / ((before.Seconds + after.Seconds) / 2);
            var appsRate = samples.Count / appsRun.Seconds;
            Console.WriteLine($"HumanEval canonical: {programs.Count / before.Seconds,7:F1} samples/s before, {programs.Count / after.Seconds,7:F1} after; "
                + $"{before.Value.Count(r => r.Passed) + after.Value.Count(r => r.Passed)}/{2 * programs.Count} passed");
            Console.WriteLine($"APPS human solutions: {appsRate,7:F1} samples/s, {cases / appsRun.Seconds:F1} cases/s; "
                + $"{appsRun.Value.Count(o => o.Passed)}/{samples.Count} passed, {appsRun.Value.Count(o => o.ToExecutionResult().Status == ExecutionStatus.TimedOut)} timed out");
            foreach (var failed in appsRun.Value.Zip(samples).Where(x => !x.First.Passed).Select(x => $"{x.Second.Problem.TaskId}: {x.First.ToExecutionResult().Result}").Distinct().Take(10))
                Console.WriteLine($"  not passed: {failed}");
            Console.WriteLine($"APPS / HumanEval samples per second: {appsRate / humanEvalRate:F3} (per sample: APPS {1000 / appsRate:F1} ms, HumanEval {1000 / humanEvalRate:F1} ms of the pool's time); "
                + $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} after");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<string> SolutionsOf(Problem problem) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(problem.Row["problem_dir"]!.GetValue<string>(), "solutions.json")))!
            .AsArray().Select(s => s!.GetValue<string>());

    /// <summary>The shared copy in APPS's own layout (it stores starter_code.py as starter_code.py.txt).</summary>
    private static string CopyProblems(string source)
    {
        var target = Directory.CreateTempSubdirectory("codexsharp-bench-apps-").FullName;
        foreach (var problem in Directory.GetDirectories(source))
        {
            var folder = Directory.CreateDirectory(Path.Combine(target, Path.GetFileName(problem))).FullName;
            foreach (var file in Directory.GetFiles(problem))
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file) == "starter_code.py.txt" ? "starter_code.py" : Path.GetFileName(file)));
        }
        return target;
    }

    private static async Task<(T Value, double Seconds)> TimeAsync<T>(Func<Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        var value = await work();
        return (value, clock.Elapsed.TotalSeconds);
    }
}
