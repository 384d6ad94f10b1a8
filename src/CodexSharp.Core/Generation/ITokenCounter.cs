namespace CodexSharp.Core.Generation;

/// <summary>
/// Optional beside <see cref="ICodeGenerator"/>: a generator that knows its tokenizer counts prompt tokens, so a
/// server can report usage the way OpenAI's API does.
/// </summary>
public interface ITokenCounter
{
    /// <summary>Number of tokens <paramref name="text"/> encodes to.</summary>
    int CountTokens(string text);
}
