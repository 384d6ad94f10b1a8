using System.Diagnostics;
using CodexSharp.Training.Corpus;

// Usage: dotnet run -c Release --project bench/corpus -- [scan|build|all] [--source PATH]... [--benchmark FILE]...
//   scan:  the contamination search (rolling hash + bit filter) against hashing every 50-character window afresh
//   build: corpus build with 1 worker, then 2: files/s, MB/s, CPU seconds; and tokenizing alone, one thread
// Sources default to Debian's standard library (/usr/lib/python3.11); benchmarks to ../shared/datasets.
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var sources = Values("--source");
if (sources.Count == 0) sources = ["/usr/lib/python3.11"];
var benchmarks = Values("--benchmark");
if (benchmarks.Count == 0)
{
    var shared = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../shared/datasets"));
    benchmarks = new[] { "humaneval/HumanEval.jsonl.gz", "humanevalplus/HumanEvalPlus.jsonl.gz", "mbpp/mbpp.jsonl.gz", "mbppplus/MbppPlus.jsonl.gz" }
        .Select(f => Path.Combine(shared, f)).Where(File.Exists).ToList();
}
Console.WriteLine($"sources: {string.Join(", ", sources)}; benchmarks: {string.Join(", ", benchmarks.Select(Path.GetFileName))}; {Environment.ProcessorCount} cores");
if (mode is "scan" or "all") ScanBenchmark.Run(sources, benchmarks);
if (mode is "build" or "all") BuildBenchmark.Run(sources, benchmarks);

List<string> Values(string flag) => args.Select((a, i) => (a, i)).Where(p => p.a == flag && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();

/// <summary>CPU seconds this process has used so far.</summary>
internal static class Cpu
{
    public static double Seconds => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}
