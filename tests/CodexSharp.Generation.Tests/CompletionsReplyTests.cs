using CodexSharp.Generation.Completions;

namespace CodexSharp.Generation.Tests;

public sealed class CompletionsReplyTests
{
    [Fact]
    public void Choices_come_back_in_index_order_with_log_probabilities()
    {
        const string body = """
            {"choices": [
              {"index": 1, "text": " b", "finish_reason": "length", "logprobs": {"tokens": [" b"], "token_logprobs": [-2.0]}},
              {"index": 0, "text": " a", "finish_reason": "stop", "logprobs": {"tokens": [" a"], "token_logprobs": [-1.0]}}
            ]}
            """;
        var completions = CompletionsReply.Parse(body, "p", "server");
        Assert.Equal([" a", " b"], completions.Select(c => c.Text));
        Assert.Equal(["stop", "length"], completions.Select(c => c.FinishReason));
        Assert.Equal(-1.0, completions[0].Tokens![0].LogProb);
    }

    [Fact]
    public void Servers_without_logprobs_or_finish_reason_are_fine()
    {
        var completions = CompletionsReply.Parse("""{"choices": [{"text": "x", "finish_reason": null, "logprobs": null}]}""", "p", "server");
        Assert.Null(completions[0].Tokens);
        Assert.Equal("stop", completions[0].FinishReason);
    }

    [Fact]
    public void An_echoed_prompt_is_removed_from_text_and_tokens()
    {
        const string body = """
            {"choices": [{"text": "def f():\n    return 1", "logprobs": {
              "tokens": ["def", " f():\n", "    return", " 1"], "token_logprobs": [null, -0.1, -0.2, -0.3], "text_offset": [0, 3, 9, 19]}}]}
            """;
        var completion = CompletionsReply.Parse(body, "def f():\n", "server").Single();
        Assert.Equal("    return 1", completion.Text);
        Assert.Equal([-0.2, -0.3], completion.Tokens!.Select(t => t.LogProb));
    }

    [Fact]
    public void An_echoed_prompt_without_offsets_is_removed_by_token_lengths()
    {
        const string body = """{"choices": [{"text": "ab cd", "logprobs": {"tokens": ["a", "b", " cd"], "token_logprobs": [null, -1, -2]}}]}""";
        var completion = CompletionsReply.Parse(body, "ab", "server").Single();
        Assert.Equal(" cd", completion.Text);
        Assert.Equal([-2.0], completion.Tokens!.Select(t => t.LogProb));
    }

    [Theory]
    [InlineData("{\"choices\": [{\"text\": \"unterminated", "not valid JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"id\": \"x\"}", "no 'choices' array")]
    [InlineData("{\"choices\": [{\"index\": 0}]}", "without a 'text' string")]
    [InlineData("{\"error\": {\"message\": \"out of memory\"}}", "out of memory")]
    public void Malformed_bodies_are_transient_faults_that_quote_the_server(string body, string expected)
    {
        var error = Assert.Throws<GenerationBackendException>(() => CompletionsReply.Parse(body, "p", "http://s/v1/completions"));
        Assert.True(error.IsTransient);
        Assert.Contains(expected, error.Message);
        Assert.Contains("http://s/v1/completions", error.Message);
    }
}
