using CodexSharp.Core.Datasets;
using CodexSharp.Testing;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Tests;

/// <summary>`codexsharp corpus build` through the real command line: a build, and each user mistake exiting 2.</summary>
public sealed class CorpusCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _source;
    private readonly string _benchmark;

    public CorpusCommandTests()
    {
        _source = CorpusFixtures.Folder(_dir, "src", [("a.py", CorpusFixtures.Module("alpha")), ("b.py", CorpusFixtures.Module("beta"))]);
        _benchmark = CorpusFixtures.HumanEvalFile(_dir);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// A dataset cache holding the real HumanEval file where the catalog puts it, and a C# translation in
    /// MultiPL-E's layout (no canonical solutions), which a Python corpus is not decontaminated against.
    /// </summary>
    private Dictionary<string, string?> CacheWithHumanEval()
    {
        var cache = _dir.File("cache");
        var path = DatasetCache.PathIn(cache, DatasetCatalog.Find("humaneval"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(TestPaths.HumanEval, path);
        var csharp = DatasetCache.PathIn(cache, DatasetCatalog.Find("humaneval-cs"));
        Directory.CreateDirectory(Path.GetDirectoryName(csharp)!);
        File.WriteAllText(csharp, "{\"name\": \"HumanEval_0_has_close_elements\", \"language\": \"cs\", \"prompt\": \"using System;\\nclass Problem {\\n\", \"tests\": \"}\\n\", \"stop_tokens\": [\"\\n    }\\n\"]}\n");
        return new() { ["CODEXSHARP_CACHE_DIR"] = cache };
    }

    [Fact]
    public async Task Builds_a_corpus_decontaminated_against_the_cached_catalog_data_sets_by_default()
    {
        var output = _dir.File("corpus");
        var run = await CodexSharpProcess.RunAsync(["corpus", "build", _source, "--out", output, "--val-fraction", "0.5"], environment: CacheWithHumanEval());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("HumanEval.jsonl.gz", run.StandardOutput);
        using var corpus = CorpusData.Open(output);
        Assert.Equal(2, corpus.Manifest.FilesKept);
        var benchmark = corpus.Manifest.Decontamination.Benchmarks.Single();
        Assert.Equal(DatasetCatalog.Find("humaneval").Sha256, benchmark.Sha256);
        Assert.Equal(164, benchmark.Problems);
    }

    public static TheoryData<string, string> Mistakes => new()
    {
        { "missing", "missing.py: no such file or folder" },
        { "empty-folder", "holds no .py files" },
        { "fake-deb", "fake.deb: named .deb but is not a Debian package" },
        { "fake-tar-xz", "its name says xz compression, but its bytes are not compressed" },
        { "corpus-there", "holds a corpus already (corpus.json, train.bin, val.bin); pass --force" },
        { "all-filtered", "every one of the 1 .py files was filtered out (low_alphanumeric 1)" },
        { "no-benchmarks", "Pass --benchmark FILE for each of HumanEval, HumanEval+, MBPP, MBPP+ you have (or `codexsharp datasets fetch`), or --no-decontaminate" },
    };

    [Fact]
    public void Settings_and_sources_that_need_no_process_are_checked_before_work_starts()
    {
        var config = CorpusFixtures.Config(_dir, _source);
        Assert.Contains("give at least one SRC", Assert.Throws<CodexSharp.Core.UserInputException>(() => (config with { Sources = [] }).Validate()).Message);
        Assert.Contains("--val-fraction: 1 is not in [0, 1)", Assert.Throws<CodexSharp.Core.UserInputException>(() => (config with { ValFraction = 1 }).Validate()).Message);
        Assert.Contains("--no-decontaminate and --benchmark contradict",
            Assert.Throws<CodexSharp.Core.UserInputException>(() => (config with { Decontaminate = false }).Validate()).Message);
        var notes = _dir.Write("notes.txt", "x");
        Assert.Contains("notes.txt: not a source: expected a folder, a .py file, a .deb package or a tar archive",
            Assert.Throws<CodexSharp.Core.UserInputException>(() => CorpusBuilder.Build(config with { Sources = [notes] })).Message);
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task A_mistake_exits_2_with_a_message_that_names_it(string mistake, string expected)
    {
        var output = _dir.File("out");
        string[] sources = mistake switch
        {
            "missing" => [_dir.File("missing.py")],
            "empty-folder" => [Directory.CreateDirectory(_dir.File("empty/sub")).Parent!.FullName],
            "fake-deb" => [_dir.Write("fake.deb", "<html>not found</html>")],
            "fake-tar-xz" => [_dir.Write("data.tar.xz", "plain text")],
            "all-filtered" => [_dir.Write("symbols.py", "# ---- ==== ----\n")],
            _ => [_source],
        };
        if (mistake == "corpus-there") CorpusBuilder.Build(CorpusFixtures.Config(_dir, _source) with { OutputDirectory = output, ValFraction = 0.5 });
        string[] benchmark = mistake switch
        {
            "no-benchmarks" => [],
            _ => ["--benchmark", _benchmark],
        };
        var run = await CodexSharpProcess.RunAsync(["corpus", "build", .. sources, "--out", output, .. benchmark],
            environment: new Dictionary<string, string?> { ["CODEXSHARP_CACHE_DIR"] = _dir.File("empty-cache") });
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
        if (mistake != "corpus-there") Assert.False(File.Exists(Path.Combine(output, CorpusManifest.FileName)));
        if (Directory.Exists(output)) Assert.Empty(Directory.GetFiles(output, "*.partial"));
    }
}
