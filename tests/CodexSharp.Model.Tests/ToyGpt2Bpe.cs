namespace CodexSharp.Model.Tests;

/// <summary>
/// A small GPT-2-format BPE vocabulary written by the tests: the 256 byte symbols of GPT-2's byte-to-unicode
/// table, a few merges ("d"+"e", "de"+"f", "Ġ"+"def", "Ġ"+"x") and &lt;|endoftext|&gt;.
/// </summary>
internal static class ToyGpt2Bpe
{
    public static (Dictionary<string, int> Vocab, List<(string Left, string Right)> Merges) Build()
    {
        var symbols = ByteSymbols();
        var vocab = new Dictionary<string, int>();
        for (var b = 0; b < 256; b++) vocab[symbols[b].ToString()] = b;
        var merges = new List<(string, string)> { ("d", "e"), ("de", "f"), ("\u0120", "def"), ("\u0120", "x") };
        foreach (var (left, right) in merges) vocab[left + right] = vocab.Count;
        vocab["<|endoftext|>"] = vocab.Count;
        return (vocab, merges);
    }

    /// <summary>GPT-2's printable stand-in for every byte: printable Latin-1 maps to itself, the rest to 256 + n.</summary>
    private static char[] ByteSymbols()
    {
        var symbols = new char[256];
        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            symbols[b] = printable ? (char)b : (char)(256 + next++);
        }
        return symbols;
    }
}
