using System.Diagnostics;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Sampling;
using CodexSharp.Model.Tokenization;
using TorchSharp;

namespace CodexSharp.Model.Benchmarks;

/// <summary>
/// Decoding steps under the allocator settings the process uses (see TorchRuntime) against a 128 KiB mmap
/// threshold (MALLOC_MMAP_THRESHOLD_=131072, the usual advice for libtorch), in one run: time per step and the
/// minor page faults each setting costs.
/// </summary>
internal static class AllocatorBenchmark
{
    public static void Run()
    {
        var tokenizer = CodeTokenizer.CreateP50kBase();
        var prompt = tokenizer.Encode("def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n");
        using var model = GptModel.CreateRandom(GptPresets.Small30M, seed: 1);
        var sampler = new BatchSampler(model, tokenizer);
        var jobs = Enumerable.Range(0, 32).Select(i => new SampleJob(prompt, new RowSampling(0.8, 0.95, 0), 32, [], new Random(i))).ToList();
        Console.WriteLine($"allocator: 30m preset, batch 32, 32 new tokens, best of 3; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        var ours = Measure(sampler, jobs);
        TorchRuntime.SetMallocThresholds(128 << 10, 128 << 10);
        var low = Measure(sampler, jobs);
        TorchRuntime.SetMallocThresholds(TorchRuntime.MmapThresholdBytes, TorchRuntime.TrimThresholdBytes);
        Console.WriteLine($"{"setting",-40} {"ms/step",8} {"page faults/step",17}");
        Console.WriteLine($"{$"ours (mmap {TorchRuntime.MmapThresholdBytes >> 20} MiB, trim {TorchRuntime.TrimThresholdBytes >> 20} MiB)",-40} {ours.MsPerStep,8:F1} {ours.FaultsPerStep,17:F0}");
        Console.WriteLine($"{"mmap threshold 128 KiB",-40} {low.MsPerStep,8:F1} {low.FaultsPerStep,17:F0}");
        Console.WriteLine($"128 KiB / ours: {low.MsPerStep / ours.MsPerStep:F2}x the time, {low.FaultsPerStep / ours.FaultsPerStep:F2}x the page faults");
    }

    private static (double MsPerStep, double FaultsPerStep) Measure(BatchSampler sampler, List<SampleJob> jobs)
    {
        sampler.Run(jobs); // warm-up under this setting
        var best = (MsPerStep: double.MaxValue, FaultsPerStep: 0.0);
        for (var repeat = 0; repeat < 3; repeat++)
        {
            var faults = MinorFaults();
            var clock = Stopwatch.StartNew();
            var steps = sampler.Run(jobs).Max(r => r.Tokens.Count);
            var ms = clock.Elapsed.TotalMilliseconds / steps;
            if (ms < best.MsPerStep) best = (ms, (double)(MinorFaults() - faults) / steps);
        }
        return best;
    }

    // Field 10 of /proc/self/stat (after the parenthesised command name).
    private static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7]);
    }
}
