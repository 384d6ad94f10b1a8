using CodexSharp.Core;
using CodexSharp.Model.Tokenization;
using CodexSharp.Testing;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Tests;

/// <summary>train.bin + val.bin decode to exactly the kept files, split by file and the same for the same seed.</summary>
public sealed class CorpusTokenStreamTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Source, Dictionary<string, string> Files) Sources(int count)
    {
        var files = Enumerable.Range(0, count).ToDictionary(i => $"pkg/m{i:D2}.py", i => CorpusFixtures.Module($"module{i}"));
        // Text that looks like the separator, non-ASCII text, a byte-order mark and CRLF line ends survive as text.
        files["pkg/special.py"] = "# a literal <|endoftext|> in a comment\r\nname = 'café ☕ ünïcode'\r\n" + CorpusFixtures.Module("special");
        var source = CorpusFixtures.Folder(_dir, "src", files.Select(f => (f.Key, f.Value)));
        File.WriteAllBytes(Path.Combine(source, "pkg", "bom.py"), [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(CorpusFixtures.Module("bom"))]);
        files["pkg/bom.py"] = CorpusFixtures.Module("bom");
        return (source, files);
    }

    private static List<string> Documents(TokenStream stream, CodeTokenizer tokenizer)
    {
        var documents = new List<string>();
        var current = new List<int>();
        for (long i = 0; i < stream.Count; i++)
        {
            if (stream[i] == tokenizer.EndOfText)
            {
                documents.Add(tokenizer.Decode(current));
                current.Clear();
            }
            else
            {
                current.Add(stream[i]);
            }
        }
        Assert.Empty(current);  // the stream ends with a separator
        return documents;
    }

    [Fact]
    public void The_token_files_decode_to_the_kept_files_text()
    {
        var (source, files) = Sources(12);
        var config = CorpusFixtures.Config(_dir, source) with { ValFraction = 0.3, Seed = 7 };
        var manifest = CorpusBuilder.Build(config);
        using var corpus = CorpusData.Open(config.OutputDirectory);

        var tokenizer = CodeTokenizer.CreateP50kBase();
        Assert.Equal(tokenizer.Name, corpus.Manifest.Tokenizer);
        var train = Documents(corpus.Train, tokenizer);
        var validation = Documents(corpus.Validation, tokenizer);
        Assert.Equal(files.Values.Order(), train.Concat(validation).Order());
        Assert.Equal(manifest.Train.Files, train.Count);
        Assert.Equal(manifest.Validation.Files, validation.Count);
        Assert.NotEmpty(train);
        Assert.NotEmpty(validation);
        Assert.Equal(manifest.Train.Tokens, corpus.Train.Count);
        Assert.Equal(new[] { corpus.Train[3], corpus.Train[4], corpus.Train[5], corpus.Train[6] }, corpus.Train.Slice(3, 4).ToArray());
        var widened = new long[5];
        corpus.Validation.CopyTo(0, widened);
        Assert.Equal(corpus.Validation.Slice(0, 5).ToArray().Select(t => (long)t), widened);
    }

    [Fact]
    public void The_split_is_by_file_and_the_same_for_the_same_seed()
    {
        var (source, _) = Sources(30);
        CorpusManifest BuildInto(string name, long seed)
        {
            var config = CorpusFixtures.Config(_dir, source) with { OutputDirectory = _dir.File(name), ValFraction = 0.3, Seed = seed, Threads = name == "b" ? 1 : 2 };
            return CorpusBuilder.Build(config);
        }
        var a = BuildInto("a", 1);
        var b = BuildInto("b", 1);
        var c = BuildInto("c", 2);
        // Same seed, different thread counts: byte-identical token files.
        Assert.Equal(File.ReadAllBytes(_dir.File("a/train.bin")), File.ReadAllBytes(_dir.File("b/train.bin")));
        Assert.Equal(File.ReadAllBytes(_dir.File("a/val.bin")), File.ReadAllBytes(_dir.File("b/val.bin")));
        Assert.Equal(a.Train with { }, b.Train);
        // Another seed chooses other files (the totals stay the same).
        Assert.NotEqual(File.ReadAllBytes(_dir.File("a/val.bin")), File.ReadAllBytes(_dir.File("c/val.bin")));
        Assert.Equal(a.Train.Bytes + a.Validation.Bytes, c.Train.Bytes + c.Validation.Bytes);
        Assert.InRange(a.Validation.Files, 3, 20);
    }

    [Fact]
    public void A_val_fraction_that_picks_no_file_still_gives_val_one_file_and_zero_gives_none()
    {
        var (source, _) = Sources(4);
        var some = CorpusBuilder.Build(CorpusFixtures.Config(_dir, source) with { OutputDirectory = _dir.File("some"), ValFraction = 1e-9 });
        Assert.Equal(1, some.Validation.Files);
        var none = CorpusBuilder.Build(CorpusFixtures.Config(_dir, source) with { OutputDirectory = _dir.File("none"), ValFraction = 0 });
        Assert.Equal(0, none.Validation.Files);
        using var corpus = CorpusData.Open(_dir.File("none"));
        Assert.Equal(0, corpus.Validation.Count);
    }

    [Fact]
    public void A_folder_whose_token_file_does_not_match_the_manifest_does_not_open()
    {
        var (source, _) = Sources(3);
        var config = CorpusFixtures.Config(_dir, source);
        CorpusBuilder.Build(config);
        File.AppendAllText(Path.Combine(config.OutputDirectory, "train.bin"), "x");
        var error = Assert.Throws<UserInputException>(() => CorpusData.Open(config.OutputDirectory));
        Assert.Contains("train.bin", error.Message);
        File.Delete(Path.Combine(config.OutputDirectory, CorpusManifest.FileName));
        Assert.Contains("not a finished corpus", Assert.Throws<UserInputException>(() => CorpusData.Open(config.OutputDirectory)).Message);
    }

    [Fact]
    public void A_forced_build_that_fails_leaves_no_corpus_behind()
    {
        var (source, _) = Sources(3);
        var config = CorpusFixtures.Config(_dir, source);
        CorpusBuilder.Build(config);
        var symbols = CorpusFixtures.Folder(_dir, "symbols", [("only.py", "# ---- ==== ----\n")]);
        Assert.Throws<UserInputException>(() => CorpusBuilder.Build(config with { Sources = [symbols], Force = true }));
        Assert.Empty(Directory.GetFiles(config.OutputDirectory));
    }
}
