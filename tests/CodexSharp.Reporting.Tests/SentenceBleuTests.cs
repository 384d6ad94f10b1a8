using CodexSharp.Reporting.Metrics;

namespace CodexSharp.Reporting.Tests;

public sealed class SentenceBleuTests
{
    [Fact]
    public void Tokens_are_identifiers_numbers_and_single_symbols()
    {
        Assert.Equal(["x1", "=", "foo", "(", "3.5", ",", "'", "a", "'", ")", "*", "*", "2"], SentenceBleu.Tokenize("x1 = foo(3.5, 'a')**2"));
    }

    [Fact]
    public void Identical_code_scores_one_whatever_its_layout()
    {
        Assert.Equal(1.0, SentenceBleu.Score("    return a + b\n", "return   a+b"), 12);
    }

    [Fact]
    public void One_changed_operator_hand_worked()
    {
        // candidate: return a - b; reference: return a + b (4 tokens each, so no brevity penalty).
        // p1 = 3/4; p2 = 1/3 (only "return a"); p3: none of 2 matches → 0.1/2; p4: none of 1 → 0.1/1.
        var expected = Math.Pow(0.75 * (1.0 / 3) * 0.05 * 0.1, 0.25); // 0.188030...
        Assert.Equal(expected, SentenceBleu.Score("return a - b", "return a + b"), 12);
        Assert.Equal(0.18803, SentenceBleu.Score("return a - b", "return a + b"), 5);
    }

    [Fact]
    public void A_short_candidate_pays_the_brevity_penalty()
    {
        // Every n-gram of the 4-token candidate is in the 6-token reference: precisions 1; BP = exp(1 − 6/4).
        Assert.Equal(Math.Exp(-0.5), SentenceBleu.Score("return a + b", "return a + b + c"), 12);
    }

    [Fact]
    public void Repeated_tokens_are_clipped_to_their_count_in_the_reference()
    {
        // "a a a a" against "a b": p1 = 1/4 (one "a" in the reference); no 2-, 3-, 4-gram matches: 0.1/3, 0.1/2, 0.1/1.
        var expected = Math.Pow(0.25 * (0.1 / 3) * (0.1 / 2) * 0.1, 0.25);
        Assert.Equal(expected, SentenceBleu.Score("a a a a", "a b"), 12);
    }

    [Fact]
    public void No_common_token_or_an_empty_candidate_scores_zero()
    {
        Assert.Equal(0.0, SentenceBleu.Score("pass", "return a + b"));
        Assert.Equal(0.0, SentenceBleu.Score("   \n", "return a + b"));
    }
}
