using System.Diagnostics;
using CodexSharp.Training.Corpus;

/// <summary>
/// The decontamination scan over real files: <see cref="ContaminationIndex"/> (one rolling hash per position, a
/// bit filter, confirmation on a hit) against the direct way, a hash set of window strings probed with every
/// 50-character slice of the file (hashing 50 characters per position).
/// </summary>
internal static class ScanBenchmark
{
    public static void Run(IReadOnlyList<string> sources, IReadOnlyList<string> benchmarkPaths)
    {
        var settings = new CorpusFilterSettings();
        var benchmarks = benchmarkPaths.Select(BenchmarkFile.Read).ToList();
        var clock = Stopwatch.StartNew();
        var index = new ContaminationIndex(settings.ContaminationWindowChars, settings.MinSolutionChars, benchmarks);
        Console.WriteLine($"index: {index.Facts.Sum(f => f.DocstringWindows):N0} docstring windows, {index.Facts.Sum(f => f.SolutionsUsed):N0} solutions in {clock.Elapsed.TotalMilliseconds:F0} ms");

        var windows = new HashSet<string>(StringComparer.Ordinal);
        foreach (var problem in benchmarks.SelectMany(b => b.Problems))
        {
            foreach (var docstring in problem.Docstrings)
            {
                var text = WhitespaceNormalizer.Normalize(docstring);
                for (var i = 0; i + settings.ContaminationWindowChars <= text.Length; i++) windows.Add(text.Substring(i, settings.ContaminationWindowChars));
            }
        }
        var lookup = windows.GetAlternateLookup<ReadOnlySpan<char>>();

        var files = BuildBenchmark.Files(sources).Select(f => (f.Path, Text: WhitespaceNormalizer.Normalize(f.Text))).ToList();
        var texts = files.Select(f => f.Text).ToList();
        var chars = texts.Sum(t => (long)t.Length);
        for (var round = 0; round < 2; round++)  // the first round warms up the JIT
        {
            clock.Restart();
            var ours = texts.Count(index.Contains);
            var fast = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var direct = texts.Count(t =>
            {
                for (var i = 0; i + settings.ContaminationWindowChars <= t.Length; i++)
                {
                    if (lookup.Contains(t.AsSpan(i, settings.ContaminationWindowChars))) return true;
                }
                return false;
            });
            var slow = clock.Elapsed.TotalSeconds;
            if (round == 0) continue;
            foreach (var (path, _) in files.Where(f => index.Contains(f.Text))) Console.WriteLine($"  holds benchmark text: {path}");
            Console.WriteLine($"scan: {texts.Count:N0} files, {chars / 1e6:F1} M characters: rolling hash {chars / 1e6 / fast:F0} M chars/s ({ours} hits, docstrings and solutions), "
                              + $"window set {chars / 1e6 / slow:F0} M chars/s ({direct} hits, docstrings only): ratio {slow / fast:F1}x");
        }
    }
}
