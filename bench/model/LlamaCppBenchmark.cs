using System.Diagnostics;
using CodexSharp.Gguf;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Sampling;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model.Benchmarks;

/// <summary>
/// The same weights sampled by our TorchSharp sampler and by llama.cpp (the model exported to GGUF at f32 and q8_0,
/// run through <see cref="GgufModel"/>: llama.cpp's logits, our exact sampling), at batch 1 and batch 32 (n = 32 of one
/// prompt), T = 0.8 top-p 0.95, prefill included; tokens/s and the ratios, all timed in this run (best of three).
/// </summary>
internal static class LlamaCppBenchmark
{
    public static void Run(bool quick)
    {
        var tokenizer = CodeTokenizer.CreateP50kBase();
        var prompt = tokenizer.Encode("def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n");
        var newTokens = quick ? 32 : 64;
        var sampling = new RowSampling(0.8, 0.95, 0);
        Console.WriteLine($"llama.cpp: prompt {prompt.Count} tokens, {newTokens} new tokens per row, T=0.8 top-p 0.95, {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"{"model",-16} {"batch",5} {"ours",9} {"llama f32",10} {"llama q8_0",11} {"ours/f32",9} {"ours/q8_0",10}");
        var shipped = Path.Combine(CodexSharp.Core.Generation.ModelSpec.ShippedModelsDirectory() ?? Path.Combine(FindRepo(), "models"), "codexsharp-7m");
        var models = new List<(string Name, Func<GptModel> Open)>
        {
            ("30m (random)", () => GptModel.CreateRandom(GptPresets.Small30M, seed: 1)),
            ("codexsharp-7m", () => LocalCheckpoint.Load(shipped).Model),
        };
        var dir = Directory.CreateTempSubdirectory("codexsharp-llama-bench-").FullName;
        try
        {
            foreach (var (name, open) in models)
            {
                using var model = open();
                var files = new Dictionary<string, string>();
                foreach (var dtype in new[] { "f32", "q8_0" }) files[dtype] = GgufExport.Export(model, name, Path.Combine(dir, $"{dtype}.gguf"), dtype).Path;
                foreach (var batch in new[] { 1, 32 })
                {
                    var ours = Ours(model, tokenizer, prompt, batch, newTokens, sampling);
                    var f32 = Llama(files["f32"], prompt, batch, newTokens, sampling);
                    var q8 = Llama(files["q8_0"], prompt, batch, newTokens, sampling);
                    Console.WriteLine($"{name,-16} {batch,5} {ours,9:F0} {f32,10:F0} {q8,11:F0} {ours / f32,8:F2}x {ours / q8,9:F2}x");
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static double Ours(GptModel model, CodeTokenizer tokenizer, IReadOnlyList<int> prompt, int batch, int newTokens, RowSampling sampling)
    {
        var sampler = new BatchSampler(model, tokenizer);
        List<SampleJob> Jobs() => Enumerable.Range(0, batch).Select(i => new SampleJob(prompt, sampling, newTokens, [], new Random(i))).ToList();
        sampler.Run(Jobs().Take(1).Select(j => j with { MaxTokens = 4 }).ToList()); // warm-up
        return BestOfThree(() => sampler.Run(Jobs()).Sum(r => r.Tokens.Count));
    }

    private static double Llama(string path, IReadOnlyList<int> prompt, int batch, int newTokens, RowSampling sampling)
    {
        using var gguf = GgufModel.Load(path, new GgufOptions { MaxBatchRows = batch });
        List<(RowSampling, Random)> Rows() => Enumerable.Range(0, batch).Select(i => (sampling, new Random(i))).ToList();
        gguf.SampleAsync(prompt, Rows().Take(1).ToList(), 4, _ => false, default).GetAwaiter().GetResult(); // warm-up
        return BestOfThree(() => gguf.SampleAsync(prompt, Rows(), newTokens, _ => false, default).GetAwaiter().GetResult().Sum(r => r.Tokens.Count));
    }

    /// <returns>Tokens per second of the best of three runs (the machine is shared; the best run is the least disturbed).</returns>
    private static double BestOfThree(Func<int> run)
    {
        var best = 0.0;
        for (var repeat = 0; repeat < 3; repeat++)
        {
            var clock = Stopwatch.StartNew();
            var tokens = run();
            best = Math.Max(best, tokens / clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CodexSharp.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("run the benchmark from inside the repository");
    }
}
