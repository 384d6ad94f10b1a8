using System.Text.Json;
using System.Text.RegularExpressions;
using CodexSharp.Core;
using Microsoft.ML.Tokenizers;

namespace CodexSharp.Model.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer for code with the name it is recorded under in a checkpoint's config.json.
/// <c>p50k_base</c> is the Codex encoding (GPT-2's BPE plus tokens for runs of 2–25 spaces);
/// <c>r50k_base</c> is GPT-2's. Directory-based GPT-2 tokenizers (vocab.json + merges.txt or
/// tokenizer.json) come from <see cref="FromDirectory"/>.
/// </summary>
public sealed class CodeTokenizer
{
    /// <summary>The Codex encoding.</summary>
    public const string P50kBase = "p50k_base";
    /// <summary>GPT-2's encoding.</summary>
    public const string R50kBase = "r50k_base";
    /// <summary>GPT-2 BPE files vocab.json + merges.txt beside the checkpoint.</summary>
    public const string VocabAndMergesFiles = "vocab.json+merges.txt";
    /// <summary>A Hugging Face tokenizer.json (byte-level BPE model) beside the checkpoint.</summary>
    public const string TokenizerJsonFile = "tokenizer.json";

    private const string EndOfTextText = "<|endoftext|>";

    private readonly Tokenizer inner;

    private CodeTokenizer(string name, Tokenizer inner, int endOfText, int vocabularySize)
    {
        Name = name;
        this.inner = inner;
        EndOfText = endOfText;
        VocabularySize = vocabularySize;
    }

    /// <summary>The name written to config.json ("p50k_base", "r50k_base", or the tokenizer file names).</summary>
    public string Name { get; }

    /// <summary>Id of &lt;|endoftext|&gt;; generating it ends a completion.</summary>
    public int EndOfText { get; }

    /// <summary>Number of ids the encoding can produce (the model's vocabulary must be at least this).</summary>
    public int VocabularySize { get; }

    /// <summary>
    /// Token ids of <paramref name="text"/>, every character taken as text: a literal "&lt;|endoftext|&gt;" in a
    /// file or a prompt is encoded as the characters it is made of (in two pieces, "&lt;|" then "endoftext|&gt;"),
    /// never as the <see cref="EndOfText"/> id, so text cannot end a document or a completion early. It decodes to
    /// the same characters.
    /// </summary>
    public IReadOnlyList<int> Encode(string text)
    {
        var next = text.IndexOf(EndOfTextText, StringComparison.Ordinal);
        if (next < 0) return inner.EncodeToIds(text);
        var ids = new List<int>(text.Length / 3);
        var start = 0;
        while (true)
        {
            var piece = next < 0 ? text[start..] : text[start..next];
            if (piece.Length > 0) ids.AddRange(inner.EncodeToIds(piece));
            if (next < 0) return ids;
            ids.AddRange(inner.EncodeToIds(EndOfTextText[..2]));
            ids.AddRange(inner.EncodeToIds(EndOfTextText[2..]));
            start = next + EndOfTextText.Length;
            next = text.IndexOf(EndOfTextText, start, StringComparison.Ordinal);
        }
    }

    /// <summary>The text of <paramref name="ids"/>; decoding the ids of any string gives it back exactly.</summary>
    public string Decode(IEnumerable<int> ids) => inner.Decode(ids);

    /// <summary>The text of one token (a token that ends inside a UTF-8 sequence shows U+FFFD).</summary>
    public string DecodeToken(int id) => inner.Decode([id]);

    /// <summary>Creates the tokenizer a checkpoint names; <paramref name="directory"/> holds tokenizer files if it names files.</summary>
    public static CodeTokenizer ByName(string name, string? directory = null) => name switch
    {
        P50kBase => CreateP50kBase(),
        R50kBase => CreateR50kBase(),
        VocabAndMergesFiles or TokenizerJsonFile when directory is not null => FromDirectory(directory)
            ?? throw new UserInputException($"{directory}: the checkpoint names tokenizer '{name}' but the files are missing"),
        _ => throw new UserInputException($"unknown tokenizer '{name}' (expected {P50kBase}, {R50kBase}, {VocabAndMergesFiles} or {TokenizerJsonFile})"),
    };

    /// <summary>The Codex encoding, read from the p50k_base.tiktoken data embedded in SharpToken.</summary>
    public static CodeTokenizer CreateP50kBase()
    {
        using var stream = typeof(SharpToken.GptEncoding).Assembly.GetManifestResourceStream("SharpToken.data.p50k_base.tiktoken")
            ?? throw new InvalidOperationException("SharpToken no longer embeds p50k_base.tiktoken");
        // "code-davinci-002" selects p50k_base's pre-tokenizer regex and its single special token.
        var tiktoken = TiktokenTokenizer.CreateForModel("code-davinci-002", stream);
        return new CodeTokenizer(P50kBase, tiktoken, tiktoken.SpecialTokens![EndOfTextText], 50281);
    }

    /// <summary>GPT-2's encoding from the Microsoft.ML.Tokenizers.Data.R50kBase package.</summary>
    public static CodeTokenizer CreateR50kBase()
    {
        var tiktoken = TiktokenTokenizer.CreateForEncoding(R50kBase);
        return new CodeTokenizer(R50kBase, tiktoken, tiktoken.SpecialTokens![EndOfTextText], 50257);
    }

    /// <summary>
    /// The GPT-2-style tokenizer stored in <paramref name="directory"/>: vocab.json + merges.txt, else the BPE model
    /// inside tokenizer.json; null when neither is there.
    /// </summary>
    public static CodeTokenizer? FromDirectory(string directory)
    {
        var vocabPath = Path.Combine(directory, "vocab.json");
        var mergesPath = Path.Combine(directory, "merges.txt");
        if (File.Exists(vocabPath) && File.Exists(mergesPath))
        {
            Dictionary<string, int> vocabulary;
            try
            {
                vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath))
                             ?? throw new UserInputException($"{vocabPath}: expected a JSON object of token → id");
            }
            catch (JsonException e)
            {
                throw UserInputException.At(vocabPath, (e.LineNumber ?? 0) + 1, e.Path, "expected a JSON object of token → id: " + e.Message);
            }
            var merges = File.ReadLines(mergesPath).Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal)).ToList();
            return FromBpe(VocabAndMergesFiles, vocabulary, merges, vocabPath);
        }
        var tokenizerJson = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(tokenizerJson)) return null;
        var (jsonVocabulary, jsonMerges) = ReadTokenizerJson(tokenizerJson);
        return FromBpe(TokenizerJsonFile, jsonVocabulary, jsonMerges, tokenizerJson);
    }

    // GPT-2's pre-tokenizer: contractions, letters, digits, other symbols, each with an optional leading space.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static CodeTokenizer FromBpe(string name, Dictionary<string, int> vocabulary, List<string> merges, string source)
    {
        if (!vocabulary.TryGetValue(EndOfTextText, out var endOfText)) throw new UserInputException($"{source}: the vocabulary has no {EndOfTextText} token");
        var special = new Dictionary<string, int> { [EndOfTextText] = endOfText };
        var bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = special,
            PreTokenizer = new RegexPreTokenizer(new Regex(Gpt2Pattern, RegexOptions.Compiled), special),
        });
        return new CodeTokenizer(name, bpe, endOfText, vocabulary.Values.Max() + 1);
    }

    /// <summary>Reads the BPE model of a Hugging Face tokenizer.json: its vocabulary (added tokens included) and merges.</summary>
    private static (Dictionary<string, int> Vocabulary, List<string> Merges) ReadTokenizerJson(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (!document.RootElement.TryGetProperty("model", out var model) || !model.TryGetProperty("vocab", out var vocab)
                || !model.TryGetProperty("merges", out var merges))
            {
                throw new UserInputException($"{path}: field 'model': expected a BPE model with 'vocab' and 'merges'");
            }
            var vocabulary = new Dictionary<string, int>();
            foreach (var entry in vocab.EnumerateObject()) vocabulary[entry.Name] = entry.Value.GetInt32();
            // Added tokens such as <|endoftext|> live outside the BPE model.
            if (document.RootElement.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            {
                foreach (var token in added.EnumerateArray()) vocabulary[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }
            // Older files store a merge as "a b", newer ones as ["a", "b"].
            var mergeList = merges.EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!)
                .ToList();
            return (vocabulary, mergeList);
        }
        catch (JsonException e)
        {
            throw UserInputException.At(path, (e.LineNumber ?? 0) + 1, e.Path, e.Message);
        }
    }
}
