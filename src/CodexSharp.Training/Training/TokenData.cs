using CodexSharp.Core;
using CodexSharp.Training.Corpus;

namespace CodexSharp.Training.Training;

/// <summary>A corpus (see <see cref="CorpusData"/>) as the training loop reads it: two splits of token ids and the tokenizer's name.</summary>
public sealed class TokenData : IDisposable
{
    private readonly CorpusData corpus;

    private TokenData(CorpusData corpus) => this.corpus = corpus;

    public string Directory => corpus.Directory;

    /// <summary>The tokenizer named in corpus.json.</summary>
    public string Tokenizer => corpus.Manifest.Tokenizer;

    /// <summary>SHA-256 of corpus.json: names the data a run used.</summary>
    public string ManifestSha256 => corpus.ManifestSha256;

    public long TrainTokens => corpus.Train.Count;

    public long ValidationTokens => corpus.Validation.Count;

    /// <summary>Copies ids [start, start + destination.Length) of the training (or validation) split, widened to int64.</summary>
    public void CopyTo(bool validationSplit, long start, Span<long> destination) =>
        (validationSplit ? corpus.Validation : corpus.Train).CopyTo(start, destination);

    /// <summary>The <paramref name="count"/> ids that occur most often in the training split (ties: the smaller id), ascending.</summary>
    public int[] MostFrequent(int count)
    {
        var counts = new long[65536];
        var buffer = new long[1 << 16];
        for (long start = 0; start < TrainTokens; start += buffer.Length)
        {
            var span = buffer.AsSpan(0, (int)Math.Min(buffer.Length, TrainTokens - start));
            CopyTo(false, start, span);
            foreach (var id in span) counts[id]++;
        }
        return Enumerable.Range(0, counts.Length).OrderByDescending(id => counts[id]).ThenBy(id => id).Take(count).Order().ToArray();
    }

    /// <exception cref="UserInputException">The folder is not a finished corpus.</exception>
    public static TokenData Open(string directory)
    {
        try
        {
            return new TokenData(CorpusData.Open(directory));
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"--data: {e.Message}");
        }
    }

    public void Dispose() => corpus.Dispose();
}
