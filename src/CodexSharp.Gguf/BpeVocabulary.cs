using System.Text;
using CodexSharp.Core;
using CodexSharp.Model.Tokenization;

namespace CodexSharp.Gguf;

/// <summary>
/// A tiktoken encoding written the way llama.cpp's <c>gpt2</c> tokenizer reads it: every id's token as GPT-2's
/// byte-to-character text, the BPE merges, and token types. tiktoken merges the adjacent pair whose joined bytes
/// have the lowest rank; a merge list holding every split (a, b) of every token t into two tokens, ordered by t's
/// rank, makes llama.cpp's BPE pick the same pairs.
/// </summary>
public sealed record BpeVocabulary(IReadOnlyList<string> Tokens, IReadOnlyList<int> TokenTypes, IReadOnlyList<string> Merges, int EndOfText)
{
    /// <summary>llama.cpp's token types.</summary>
    public const int Normal = 1, Control = 3, Unused = 5;

    /// <summary>The vocabulary of <paramref name="tokenizerName"/> (p50k_base) padded with unused tokens to <paramref name="vocabularySize"/> ids.</summary>
    /// <exception cref="UserInputException">A tokenizer this export cannot write.</exception>
    public static BpeVocabulary For(string tokenizerName, int vocabularySize)
    {
        if (tokenizerName != CodeTokenizer.P50kBase)
            throw new UserInputException($"tokenizer '{tokenizerName}': GGUF export writes the {CodeTokenizer.P50kBase} vocabulary only");
        var ranks = ReadP50kRanks();
        var endOfText = CodeTokenizer.CreateP50kBase().EndOfText;
        var bytesOf = new byte[vocabularySize][];
        foreach (var (bytes, rank) in ranks) bytesOf[rank] = bytes;
        var tokens = new string[vocabularySize];
        var types = new int[vocabularySize];
        for (var id = 0; id < vocabularySize; id++)
        {
            if (id == endOfText) (tokens[id], types[id]) = ("<|endoftext|>", Control);
            else if (bytesOf[id] is { } bytes) (tokens[id], types[id]) = (ByteText(bytes), Normal);
            else (tokens[id], types[id]) = ($"[PAD{id}]", Unused);
        }
        var rankOf = new Dictionary<string, int>(ranks.Count, StringComparer.Ordinal);
        foreach (var (bytes, rank) in ranks) rankOf[ByteText(bytes)] = rank;
        var merges = new List<(int Rank, int Left, int Right, string Text)>();
        foreach (var (bytes, rank) in ranks)
        {
            if (bytes.Length < 2) continue;
            for (var cut = 1; cut < bytes.Length; cut++)
            {
                string left = ByteText(bytes.AsSpan(0, cut)), right = ByteText(bytes.AsSpan(cut));
                if (rankOf.TryGetValue(left, out var l) && rankOf.TryGetValue(right, out var r) && l < rank && r < rank)
                    merges.Add((rank, l, r, left + " " + right));
            }
        }
        merges.Sort((a, b) => (a.Rank, a.Left, a.Right).CompareTo((b.Rank, b.Left, b.Right)));
        return new BpeVocabulary(tokens, types, merges.Select(m => m.Text).ToList(), endOfText);
    }

    /// <summary>GPT-2's reversible map from bytes to printable characters (the text of tokens in vocab.json and GGUF).</summary>
    public static string ByteText(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes) text.Append(ByteChars[b]);
        return text.ToString();
    }

    private static readonly char[] ByteChars = BuildByteChars();

    private static char[] BuildByteChars()
    {
        var chars = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            chars[b] = printable ? (char)b : (char)next++;
        }
        return chars;
    }

    private static List<(byte[] Bytes, int Rank)> ReadP50kRanks()
    {
        using var stream = typeof(SharpToken.GptEncoding).Assembly.GetManifestResourceStream("SharpToken.data.p50k_base.tiktoken")
            ?? throw new InvalidOperationException("SharpToken no longer embeds p50k_base.tiktoken");
        using var reader = new StreamReader(stream);
        var ranks = new List<(byte[], int)>();
        while (reader.ReadLine() is { } line)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0) continue;
            ranks.Add((Convert.FromBase64String(line[..space]), int.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
        }
        return ranks;
    }
}
