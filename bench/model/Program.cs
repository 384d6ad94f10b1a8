using System.Diagnostics;
using CodexSharp.Model.Benchmarks;

// Usage: dotnet run -c Release --project bench/model -- [sampling|forward|allocator|accuracy|memory|tokenizer|llama|all] [--quick] [--preset 30m]
var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var quick = args.Contains("--quick");
// Before anything touches libtorch: allocator and OpenMP settings (see TorchRuntime).
CodexSharp.Model.TorchRuntime.EnsureInitialized();
var clock = Stopwatch.StartNew();
if (mode is "forward") SamplingBenchmark.ForwardOnly();
if (mode is "allocator" or "all") AllocatorBenchmark.Run();
if (mode is "sampling" or "all") SamplingBenchmark.Run(quick);
if (mode is "accuracy" or "all") BFloat16Accuracy.Run();
var preset = args.SkipWhile(a => a != "--preset").Skip(1).FirstOrDefault() ?? "30m";
if (mode is "memory" or "all") MemoryBenchmark.Run(quick ? 200 : 1000, preset);
if (mode is "tokenizer" or "all") TokenizerBenchmark.Run();
if (mode is "llama" or "all") LlamaCppBenchmark.Run(quick);
Console.WriteLine($"done in {clock.Elapsed.TotalSeconds:F0} s");
