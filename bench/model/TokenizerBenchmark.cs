using System.Diagnostics;
using System.Text;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Model.Benchmarks;

/// <summary>Tokens per byte of p50k_base against GPT-2's r50k_base on Debian's Python standard library.</summary>
internal static class TokenizerBenchmark
{
    public static void Run()
    {
        var p50k = CodeTokenizer.CreateP50kBase();
        var r50k = CodeTokenizer.CreateR50kBase();
        long bytes = 0, p50kTokens = 0, r50kTokens = 0;
        var clock = Stopwatch.StartNew();
        foreach (var path in Directory.EnumerateFiles("/usr/lib/python3.11", "*.py", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(2000))
        {
            var text = File.ReadAllText(path);
            bytes += Encoding.UTF8.GetByteCount(text);
            p50kTokens += p50k.Encode(text).Count;
            r50kTokens += r50k.Encode(text).Count;
        }
        Console.WriteLine($"tokenizer: {bytes / 1e6:F1} MB of Python; tokens per byte p50k_base {(double)p50kTokens / bytes:F4}, r50k_base {(double)r50kTokens / bytes:F4}; " +
                          $"p50k uses {100 * (1 - (double)p50kTokens / r50kTokens):F1}% fewer tokens (paper: ~30%); both encoded in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
