using System.Text;

namespace CodexSharp.Model.Tests;

/// <summary>
/// Rebuilds GPT-2's vocab.json and merges.txt from r50k_base's tiktoken ranks (embedded in SharpToken), so the
/// directory tokenizer can be checked against GPT-2's real encoding without downloading anything. In a byte-level
/// BPE whose ids are its merge ranks, each multi-byte token is the merge of the two parts that BPE with all
/// lower-ranked merges leaves it in.
/// </summary>
internal static class Gpt2FilesFromTiktoken
{
    public static (Dictionary<string, int> Vocab, List<string> Merges) Build()
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var stream = typeof(SharpToken.GptEncoding).Assembly.GetManifestResourceStream("SharpToken.data.r50k_base.tiktoken")!)
        using (var reader = new StreamReader(stream))
        {
            for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                if (line.Length == 0) continue;
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                ranks[Symbols(Convert.FromBase64String(line[..space]))] = int.Parse(line[(space + 1)..]);
            }
        }
        var merges = new List<string>();
        foreach (var (token, rank) in ranks.OrderBy(p => p.Value))
        {
            if (token.Length < 2) continue;
            var parts = token.Select(c => c.ToString()).ToList();
            while (true)
            {
                var best = -1;
                var bestRank = int.MaxValue;
                for (var i = 0; i + 1 < parts.Count; i++)
                {
                    if (ranks.TryGetValue(parts[i] + parts[i + 1], out var r) && r < rank && r < bestRank) (best, bestRank) = (i, r);
                }
                if (best < 0) break;
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            if (parts.Count != 2) throw new InvalidOperationException($"token {rank} does not split into two parts");
            merges.Add(parts[0] + " " + parts[1]);
        }
        ranks["<|endoftext|>"] = 50256;
        return (ranks, merges);
    }

    /// <summary>GPT-2's byte-to-unicode stand-ins (printable Latin-1 maps to itself, other bytes to 256 + n).</summary>
    private static string Symbols(byte[] bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        foreach (var b in bytes) builder.Append(Table[b]);
        return builder.ToString();
    }

    private static readonly char[] Table = BuildTable();

    private static char[] BuildTable()
    {
        var table = new char[256];
        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)(256 + next++);
        }
        return table;
    }
}
