namespace CodexSharp.Model.Modeling;

/// <summary>
/// The layout of a frequent-token head (<see cref="GptConfig.HeadTokens"/>): row i of its logits is id
/// <see cref="Ids"/>[i], and the last row is the bucket every other id shares, each of them with the bucket's logit
/// minus <see cref="RareLogCount"/> = log(V − S), so that they split its probability evenly.
/// </summary>
public sealed class FrequentHead
{
    public FrequentHead(int[] ids, int vocabularySize)
    {
        Ids = ids;
        VocabularySize = vocabularySize;
        RareCount = vocabularySize - ids.Length;
        RareLogCount = Math.Log(RareCount);
        var frequent = new HashSet<int>(ids);
        FirstRareId = Enumerable.Range(0, vocabularySize).First(id => !frequent.Contains(id));
    }

    /// <summary>The ids scored one by one, ascending (S of them).</summary>
    public int[] Ids { get; }

    /// <summary>V: every id the model gives a probability.</summary>
    public int VocabularySize { get; }

    /// <summary>V − S: the ids that share the bucket.</summary>
    public int RareCount { get; }

    /// <summary>log(V − S).</summary>
    public double RareLogCount { get; }

    /// <summary>The smallest id in the bucket (greedy decoding's pick when the bucket's share beats every frequent id).</summary>
    public int FirstRareId { get; }
}
