using System.Text;
using System.Text.Json;
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

    /// <summary>Token ids of <paramref name="text"/>; special-token text is encoded as ordinary text.</summary>
    public IReadOnlyList<int> Encode(string text) => inner.EncodeToIds(text);

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
            using var vocab = File.OpenRead(vocabPath);
            using var merges = File.OpenRead(mergesPath);
            return FromBpeFiles(VocabAndMergesFiles, vocab, merges, vocabPath);
        }
        var tokenizerJson = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(tokenizerJson)) return null;
        var (vocabStream, mergesStream) = BpeFilesFromTokenizerJson(tokenizerJson);
        using (vocabStream)
        using (mergesStream)
        {
            return FromBpeFiles(TokenizerJsonFile, vocabStream, mergesStream, tokenizerJson);
        }
    }

    private static CodeTokenizer FromBpeFiles(string name, Stream vocab, Stream merges, string source)
    {
        var bpe = CodeGenTokenizer.Create(vocab, merges, addPrefixSpace: false, addBeginOfSentence: false, addEndOfSentence: false);
        var endOfText = bpe.Vocabulary.TryGetValue(EndOfTextText, out var id)
            ? id
            : throw new UserInputException($"{source}: the vocabulary has no {EndOfTextText} token");
        var size = bpe.Vocabulary.Values.Max() + 1;
        return new CodeTokenizer(name, bpe, endOfText, size);
    }

    /// <summary>Rewrites tokenizer.json's BPE model as vocab.json and merges.txt streams.</summary>
    private static (Stream Vocab, Stream Merges) BpeFilesFromTokenizerJson(string path)
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
        var mergesText = new StringBuilder("#version: 0.2\n");
        foreach (var merge in merges.EnumerateArray())
        {
            // Older files store "a b", newer ones ["a", "b"].
            mergesText.Append(merge.ValueKind == JsonValueKind.Array ? $"{merge[0].GetString()} {merge[1].GetString()}" : merge.GetString()).Append('\n');
        }
        return (new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(vocabulary)), new MemoryStream(Encoding.UTF8.GetBytes(mergesText.ToString())));
    }
}
