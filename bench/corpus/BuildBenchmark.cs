using System.Diagnostics;
using System.Text;
using CodexSharp.Model.Tokenization;
using CodexSharp.Training.Corpus;

/// <summary>corpus build with one worker and with two, against tokenizing the same files alone on one thread.</summary>
internal static class BuildBenchmark
{
    public static void Run(IReadOnlyList<string> sources, IReadOnlyList<string> benchmarks)
    {
        var output = Directory.CreateTempSubdirectory("codexsharp-corpus-bench-").FullName;
        try
        {
            var config = new CorpusConfig { Sources = sources, OutputDirectory = output, Benchmarks = benchmarks, Decontaminate = benchmarks.Count > 0, Force = true };
            CorpusBuilder.Build(config with { Threads = 2 });  // warm-up: JIT, each worker's tokenizer, page cache
            var results = new List<(int Threads, double Wall, double Cpu, CorpusManifest Manifest)>();
            foreach (var threads in new[] { 1, 2 })
            {
                var cpu = Cpu.Seconds;
                var clock = Stopwatch.StartNew();
                var manifest = CorpusBuilder.Build(config with { Threads = threads });
                results.Add((threads, clock.Elapsed.TotalSeconds, Cpu.Seconds - cpu, manifest));
            }
            foreach (var (threads, wall, cpu, m) in results)
            {
                Console.WriteLine($"build, {threads} worker(s): {m.FilesSeen:N0} files, {m.BytesSeen / 1e6:F1} MB in {wall:F2} s: {m.FilesSeen / wall:F0} files/s, "
                                  + $"{m.BytesSeen / 1e6 / wall:F2} MB/s ({cpu:F1} CPU s)");
            }
            Console.WriteLine($"build: 2 workers / 1 worker = {results[0].Wall / results[1].Wall:F2}x");

            var tokenizer = CodeTokenizer.CreateP50kBase();
            var texts = Texts(sources).ToList();
            tokenizer.Encode(texts[0]);
            var tokenizeClock = Stopwatch.StartNew();
            long tokens = 0;
            foreach (var text in texts) tokens += tokenizer.Encode(text).Count;
            var tokenizeSeconds = tokenizeClock.Elapsed.TotalSeconds;
            var bytes = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
            Console.WriteLine($"tokenize alone, 1 thread: {tokens:N0} tokens, {bytes / 1e6 / tokenizeSeconds:F2} MB/s; "
                              + $"{tokenizeSeconds / results[0].Wall:P0} of the 1-worker build's time");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>The UTF-8 text of every .py file of the sources (archives included), in build order.</summary>
    public static IEnumerable<string> Texts(IReadOnlyList<string> sources) => Files(sources).Select(f => f.Text);

    /// <summary>Path and UTF-8 text of every .py file of the sources.</summary>
    public static IEnumerable<(string Path, string Text)> Files(IReadOnlyList<string> sources)
    {
        var tallies = PythonSources.Inspect(sources);
        for (var i = 0; i < tallies.Count; i++)
        {
            foreach (var file in PythonSources.Read(i, tallies[i], 1_000_000))
            {
                if (file.Bytes is not null && QualityFilters.DecodeUtf8(file.Bytes) is { } text) yield return (file.Path, text);
            }
        }
    }
}
