using System.Diagnostics;
using CodexSharp.Core.Generation;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;

namespace CodexSharp.Model.Benchmarks;

/// <summary>Resident memory while serving many scoring and sampling requests through the generator: it must stay flat.</summary>
internal static class MemoryBenchmark
{
    public static void Run(int requests, string preset)
    {
        var directory = Path.Combine(Path.GetTempPath(), "codexsharp-bench-memory");
        using (var model = GptModel.CreateRandom(GptPresets.ByName(preset), seed: 3)) LocalCheckpoint.Save(model, directory);
        Console.WriteLine($"memory: preset {preset}, {requests} requests (scoring and sampling alternate)");
        using var generator = LocalModelGenerator.Load("local:" + directory);
        var options = new SamplingOptions { Temperature = 0.8, MaxTokens = 16, Stop = StopSequences.Paper };
        var random = new Random(1);
        long peakAfterWarmup = 0, peakTotal = 0, rssAtWarmup = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= requests; i++)
        {
            // Varying prompt lengths and batch sizes exercise the allocator the way real traffic does.
            var prompt = "def f(x):\n" + new string(' ', random.Next(1, 200));
            if (i % 2 == 0) generator.ScoreAsync(prompt + "return x\n").GetAwaiter().GetResult();
            else generator.GenerateAsync(new CompletionRequest(prompt, 1 + random.Next(8), options with { Seed = i })).GetAwaiter().GetResult();
            var rss = Rss();
            peakTotal = Math.Max(peakTotal, rss);
            if (i == requests / 10) rssAtWarmup = rss;
            if (i > requests / 10) peakAfterWarmup = Math.Max(peakAfterWarmup, rss);
            if (i % (requests / 5) == 0) Console.WriteLine($"memory: after {i,5} requests RSS {rss / 1e6:F0} MB ({clock.Elapsed.TotalSeconds:F0} s)");
        }
        Console.WriteLine($"memory: RSS after the first {requests / 10} requests {rssAtWarmup / 1e6:F0} MB, peak over the rest {peakAfterWarmup / 1e6:F0} MB " +
                          $"(growth {(peakAfterWarmup - rssAtWarmup) / 1e6:F0} MB = {(double)(peakAfterWarmup - rssAtWarmup) / rssAtWarmup:P1})");
    }

    private static long Rss()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
