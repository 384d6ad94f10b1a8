using CodexSharp.Training.Benchmarks;
using static TorchSharp.torch;

CodexSharp.Model.TorchRuntime.EnsureInitialized();
Console.WriteLine($"threads {get_num_threads()}, load {File.ReadAllText("/proc/loadavg").Trim()}");
foreach (var n in new[] { 256, 512, 1024 })
{
    Console.WriteLine($"n={n}: fp32 {MatmulPeak.Measure(ScalarType.Float32, n):F0} GFLOP/s");
    Console.WriteLine($"n={n}: bf16 {MatmulPeak.Measure(ScalarType.BFloat16, n, 2):F0} GFLOP/s");
}
