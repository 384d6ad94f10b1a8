using System.Text.Json.Nodes;
using OpenAI.Models;

namespace CodexSharp.Serving.Tests;

public sealed class CompletionsEndpointTests(TinyServedModel served) : IClassFixture<TinyServedModel>
{
    private readonly OpenAiProtocolClient client = new(served.Server.BaseAddress);

    [Fact]
    public async Task The_sdk_lists_the_served_model()
    {
        var models = (await client.Client.GetOpenAIModelClient().GetModelsAsync()).Value;
        var model = Assert.Single(models);
        Assert.Equal(served.Generator.ModelName, model.Id);
        Assert.Equal("codexsharp", model.OwnedBy);
        OpenAIModel one = await client.Client.GetOpenAIModelClient().GetModelAsync(served.Generator.ModelName);
        Assert.Equal(model.Id, one.Id);
    }

    [Fact]
    public async Task Completions_return_n_choices_with_logprobs_usage_and_finish_reasons()
    {
        var (status, body) = await client.CompleteAsync(new
        {
            model = served.Generator.ModelName, prompt = "def add(a, b):\n", n = 3, max_tokens = 5, temperature = 0.8, top_p = 0.95, logprobs = 1, seed = 7,
        });
        Assert.Equal(200, status);
        Assert.Equal("text_completion", (string?)body["object"]);
        var choices = body["choices"]!.AsArray();
        Assert.Equal(3, choices.Count);
        var completionTokens = 0;
        for (var i = 0; i < 3; i++)
        {
            var choice = choices[i]!;
            Assert.Equal(i, (int)choice["index"]!);
            var tokens = choice["logprobs"]!["tokens"]!.AsArray();
            var logProbs = choice["logprobs"]!["token_logprobs"]!.AsArray();
            Assert.Equal(tokens.Count, logProbs.Count);
            Assert.All(logProbs, lp => Assert.True((double)lp! < 0));
            Assert.Equal((string?)choice["text"], string.Concat(tokens.Select(t => (string?)t)));
            Assert.Contains((string?)choice["finish_reason"], new[] { "length", "stop" });
            completionTokens += tokens.Count;
        }
        Assert.Equal(served.Generator.CountTokens("def add(a, b):\n"), (int)body["usage"]!["prompt_tokens"]!);
        Assert.Equal(completionTokens, (int)body["usage"]!["completion_tokens"]!);

        // The same seed gives the same texts; logprobs omitted when not asked for.
        var (_, again) = await client.CompleteAsync(new { prompt = "def add(a, b):\n", n = 3, max_tokens = 5, temperature = 0.8, top_p = 0.95, seed = 7 });
        Assert.Equal(choices.Select(c => (string?)c!["text"]), again["choices"]!.AsArray().Select(c => (string?)c!["text"]));
        Assert.Null(again["choices"]![0]!["logprobs"]);
    }

    [Fact]
    public async Task A_list_of_prompts_gives_n_choices_each_in_order_and_stop_sequences_are_cut()
    {
        var (_, free) = await client.CompleteAsync(new { prompt = "x = 1\n", max_tokens = 24, temperature = 0 });
        var freeText = (string)free["choices"]![0]!["text"]!;
        Assert.Equal("length", (string?)free["choices"]![0]!["finish_reason"]);
        var stop = freeText.Substring(freeText.Length / 2, 2);

        var (status, body) = await client.CompleteAsync(new { prompt = new[] { "x = 1\n", "import os\n" }, n = 2, max_tokens = 24, temperature = 0, stop = new[] { stop } });
        Assert.Equal(200, status);
        var choices = body["choices"]!.AsArray();
        Assert.Equal([0, 1, 2, 3], choices.Select(c => (int)c!["index"]!));
        var first = (string)choices[0]!["text"]!;
        Assert.Equal(freeText[..freeText.IndexOf(stop, StringComparison.Ordinal)], first);
        Assert.Equal("stop", (string?)choices[0]!["finish_reason"]);
        Assert.Equal(first, (string?)choices[1]!["text"]);
        Assert.DoesNotContain(stop, (string)choices[2]!["text"]!);
    }

    [Theory]
    [InlineData("{\"prompt\": \"x\", \"temperature\": 5}", "temperature")]
    [InlineData("{\"prompt\": \"x\", \"top_p\": 0}", "top_p")]
    [InlineData("{\"prompt\": \"x\", \"n\": 0}", "n")]
    [InlineData("{\"prompt\": \"x\", \"max_tokens\": -1}", "max_tokens")]
    [InlineData("{\"prompt\": \"x\", \"max_tokens\": \"ten\"}", "max_tokens")]
    [InlineData("{\"prompt\": \"x\", \"logprobs\": 9}", "logprobs")]
    [InlineData("{\"prompt\": \"x\", \"stop\": 3}", "stop")]
    [InlineData("{\"prompt\": \"x\", \"stream\": true}", "stream")]
    [InlineData("{\"prompt\": [1, 2, 3]}", "prompt")]
    [InlineData("{\"max_tokens\": 3}", "prompt")]
    [InlineData("{\"prompt\": \"x\",", "body")]
    [InlineData("[1]", "body")]
    [InlineData("{\"prompt\": \"x\", \"seed\": \"abc\"}", "seed")]
    [InlineData("{\"prompt\": \"x\", \"seed\": 1.5}", "seed")]
    [InlineData("{\"prompt\": \"    return \\ud800\\n\"}", "prompt")]
    [InlineData("{\"prompt\": [\"ok\", \"\\udc00\"]}", "prompt")]
    [InlineData("{\"prompt\": \"x\", \"stop\": \"\\ud800\"}", "stop")]
    [InlineData("{\"prompt\": \"x\", \"n\": 2, \"best_of\": 2.5}", "best_of")]
    public async Task Bad_requests_get_openai_style_400s_naming_the_parameter(string json, string param)
    {
        var (status, body) = await client.PostAsync(BinaryData.FromString(json));
        Assert.Equal(400, status);
        Assert.Equal("invalid_request_error", (string?)body["error"]!["type"]);
        Assert.Equal(param, (string?)body["error"]!["param"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["error"]!["message"]));
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_openais_context_length_exceeded_with_both_sizes()
    {
        var prompt = string.Join(" ", Enumerable.Repeat("word", 400));
        var (status, body) = await client.CompleteAsync(new { prompt, max_tokens = 4 });
        Assert.Equal(400, status);
        var error = body["error"]!;
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal("context_length_exceeded", (string?)error["code"]);
        Assert.Equal("prompt", (string?)error["param"]);
        Assert.Contains($"{served.Generator.CountTokens(prompt)} tokens", (string?)error["message"]);
        Assert.Contains($"{served.Generator.Model.Config.Context} tokens", (string?)error["message"]);
        // A prompt that fits is kept whole, never truncated: its new tokens stop at the context instead.
        var fits = string.Join(" ", Enumerable.Repeat("word", 200));
        var (ok, reply) = await client.CompleteAsync(new { prompt = fits, max_tokens = 200, temperature = 0, logprobs = 0 });
        Assert.Equal(200, ok);
        Assert.Equal(served.Generator.CountTokens(fits), (int)reply["usage"]!["prompt_tokens"]!);
        Assert.Equal(served.Generator.Model.Config.Context - served.Generator.CountTokens(fits), (int)reply["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task A_request_for_another_model_is_openais_404_model_not_found_and_no_model_means_the_served_one()
    {
        var (status, body) = await client.CompleteAsync(new { model = "gpt-4", prompt = "x", max_tokens = 2 });
        Assert.Equal(404, status);
        var error = body["error"]!;
        Assert.Equal("model_not_found", (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal("model", (string?)error["param"]);
        Assert.Contains("gpt-4", (string?)error["message"]);
        var (named, _) = await client.CompleteAsync(new { model = served.Generator.ModelName, prompt = "x", max_tokens = 2 });
        Assert.Equal(200, named);
        var (unnamed, reply) = await client.CompleteAsync(new { prompt = "x", max_tokens = 2 });
        Assert.Equal(200, unnamed);
        Assert.Equal(served.Generator.ModelName, (string?)reply["model"]);
    }

    [Fact]
    public async Task Concurrent_requests_all_complete_with_their_own_results()
    {
        var prompts = Enumerable.Range(0, 8).Select(i => $"def f{i}(x):\n").ToList();
        var alone = new List<string>();
        foreach (var prompt in prompts)
        {
            var (_, body) = await client.CompleteAsync(new { prompt, max_tokens = 6, temperature = 0 });
            alone.Add((string)body["choices"]![0]!["text"]!);
        }
        var together = await Task.WhenAll(prompts.Select(prompt => client.CompleteAsync(new { prompt, max_tokens = 6, temperature = 0 })));
        for (var i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(200, together[i].Status);
            Assert.Equal(alone[i], (string?)together[i].Body["choices"]![0]!["text"]);
        }
    }
}
