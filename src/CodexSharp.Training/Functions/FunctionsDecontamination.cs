using System.Text.Json.Nodes;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Functions;

/// <summary>
/// The corpus builder's decontamination (a 50-character window of a benchmark docstring, or a whole canonical
/// solution, after whitespace is collapsed) applied to supervised problems. An MBPP file contributes its test
/// split only: its train and validation splits are what <c>corpus functions</c> turns into training problems.
/// </summary>
public static class FunctionsDecontamination
{
    /// <summary>A test for benchmark text, and what was read from each benchmark file (for the manifest).</summary>
    public static (Func<string, bool> IsContaminated, JsonArray Facts) Create(IEnumerable<string> benchmarkPaths)
    {
        var files = benchmarkPaths.Select(path => BenchmarkFile.Read(path, mbppTestSplitOnly: true)).ToList();
        var settings = new CorpusFilterSettings();
        var index = new ContaminationIndex(settings.ContaminationWindowChars, settings.MinSolutionChars, files);
        var facts = new JsonArray(index.Facts.Select(f => (JsonNode)new JsonObject
        {
            ["name"] = f.Name,
            ["sha256"] = f.Sha256,
            ["format"] = f.Format,
            ["problems"] = f.Problems,
        }).ToArray());
        return (text => index.Contains(WhitespaceNormalizer.Normalize(text)), facts);
    }
}
