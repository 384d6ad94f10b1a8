using System.Text;
using System.Text.Json;
using CodexSharp.Model.Tokenization;
using SharpToken;
using Xunit.Abstractions;

namespace CodexSharp.Model.Tests;

public sealed class TokenizerTests(ITestOutputHelper output)
{
    private const long CorpusBytes = 3_000_000;

    [Fact]
    public void P50k_ids_equal_SharpTokens_on_megabytes_of_real_python_and_decode_exactly()
    {
        var ours = CodeTokenizer.CreateP50kBase();
        var reference = GptEncoding.GetEncoding("p50k_base");
        var files = PythonCorpus.Files(CorpusBytes);
        long tokens = 0, bytes = 0;
        foreach (var (path, text) in files)
        {
            var expected = reference.Encode(text, allowedSpecial: new HashSet<string>());
            var actual = ours.Encode(text);
            if (!expected.SequenceEqual(actual))
            {
                var at = expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count();
                Assert.Fail($"{path}: ids differ at token {at}");
            }
            Assert.Equal(text, ours.Decode(actual));
            tokens += actual.Count;
            bytes += Encoding.UTF8.GetByteCount(text);
        }
        Assert.True(bytes >= CorpusBytes, $"only {bytes} bytes of Python found");
        output.WriteLine($"{files.Count} files, {bytes:N0} bytes, {tokens:N0} p50k tokens");
    }

    [Fact]
    public void P50k_has_the_codex_whitespace_tokens_and_needs_fewer_tokens_than_r50k_on_python()
    {
        var p50k = CodeTokenizer.CreateP50kBase();
        var r50k = CodeTokenizer.CreateR50kBase();
        Assert.Equal(50256, p50k.EndOfText);
        Assert.Equal(50256, r50k.EndOfText);
        // Runs of 2..25 spaces are single tokens in p50k_base.
        for (var run = 2; run <= 25; run++) Assert.Single(p50k.Encode(new string(' ', run)));
        Assert.True(r50k.Encode(new string(' ', 8)).Count > 1);

        long bytes = 0, p50kTokens = 0, r50kTokens = 0;
        foreach (var (_, text) in PythonCorpus.Files(1_000_000))
        {
            bytes += Encoding.UTF8.GetByteCount(text);
            p50kTokens += p50k.Encode(text).Count;
            r50kTokens += r50k.Encode(text).Count;
        }
        var ratio = (double)p50kTokens / r50kTokens;
        output.WriteLine($"tokens per byte: p50k_base {(double)p50kTokens / bytes:F4}, r50k_base {(double)r50kTokens / bytes:F4}; p50k/r50k = {ratio:F3} ({(1 - ratio) * 100:F1}% fewer tokens)");
        Assert.InRange(ratio, 0.5, 0.9);
    }

    [Theory]
    [InlineData("<|endoftext|>")]
    [InlineData("x = '<|endoftext|>'\nprint(x)\n")]
    [InlineData("a<|endoftext|><|endoftext|>b")]
    public void A_literal_end_of_text_in_a_text_is_encoded_as_text_and_decodes_to_itself(string text)
    {
        foreach (var tokenizer in new[] { CodeTokenizer.CreateP50kBase(), CodeTokenizer.CreateR50kBase() })
        {
            var ids = tokenizer.Encode(text);
            Assert.DoesNotContain(tokenizer.EndOfText, ids);
            Assert.Equal(text, tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void R50k_ids_equal_SharpTokens()
    {
        var ours = CodeTokenizer.CreateR50kBase();
        var reference = GptEncoding.GetEncoding("r50k_base");
        foreach (var (_, text) in PythonCorpus.Files(300_000))
        {
            Assert.Equal(reference.Encode(text, allowedSpecial: new HashSet<string>()), ours.Encode(text));
        }
    }

    [Fact]
    public void Round_trip_is_exact_for_unicode_tabs_and_odd_whitespace()
    {
        var tokenizer = CodeTokenizer.CreateP50kBase();
        foreach (var text in new[] { "", "def f(x):\n\treturn x  # ünïcödé → 😀\r\n", "   \n\n\n    \t  x", "日本語のコメント", "a\u00a0b\u200bc" })
        {
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }
    }

    [Fact]
    public void Gpt2_vocab_and_merges_files_encode_python_exactly_as_r50k()
    {
        var (vocab, merges) = Gpt2FilesFromTiktoken.Build();
        Assert.Equal(50000, merges.Count);
        var directory = TinyModels.TempDirectory();
        File.WriteAllText(Path.Combine(directory, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(directory, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges) + "\n");
        var files = CodeTokenizer.FromDirectory(directory)!;
        var r50k = CodeTokenizer.CreateR50kBase();
        Assert.Equal(50256, files.EndOfText);
        foreach (var (path, text) in PythonCorpus.Files(300_000))
        {
            var expected = r50k.Encode(text);
            var actual = files.Encode(text);
            Assert.True(expected.SequenceEqual(actual), $"{path}: ids differ at token {expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count()}");
            Assert.Equal(text, files.Decode(actual));
        }
    }

    [Fact]
    public void Directory_tokenizers_read_vocab_and_merges_or_tokenizer_json()
    {
        var (vocab, merges) = ToyGpt2Bpe.Build();
        var filesDir = TinyModels.TempDirectory();
        File.WriteAllText(Path.Combine(filesDir, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(filesDir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges.Select(m => m.Left + " " + m.Right)) + "\n");
        var jsonDir = TinyModels.TempDirectory();
        var withoutEnd = vocab.Where(p => p.Key != "<|endoftext|>").ToDictionary();
        File.WriteAllText(Path.Combine(jsonDir, "tokenizer.json"), JsonSerializer.Serialize(new
        {
            added_tokens = new[] { new { id = vocab["<|endoftext|>"], content = "<|endoftext|>", special = true } },
            model = new { type = "BPE", vocab = withoutEnd, merges = merges.Select(m => new[] { m.Left, m.Right }).ToArray() },
        }));

        foreach (var directory in new[] { filesDir, jsonDir })
        {
            var tokenizer = CodeTokenizer.FromDirectory(directory)!;
            Assert.Equal(vocab["<|endoftext|>"], tokenizer.EndOfText);
            var ids = tokenizer.Encode("def def  x");
            // "def" is one merged token, " def" uses the Ġ (space) byte symbol merged with "def".
            Assert.Equal([vocab["def"], vocab["\u0120def"], vocab["\u0120"], vocab["\u0120x"]], ids);
            Assert.Equal("def def  x", tokenizer.Decode(ids));
            Assert.Equal("héllo\n", tokenizer.Decode(tokenizer.Encode("héllo\n")));
        }
        Assert.Null(CodeTokenizer.FromDirectory(TinyModels.TempDirectory()));
    }
}
