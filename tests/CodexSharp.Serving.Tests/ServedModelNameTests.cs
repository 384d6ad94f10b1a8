namespace CodexSharp.Serving.Tests;

/// <summary>A served model name chosen by the operator is the one clients list, ask for and get back.</summary>
public sealed class ServedModelNameTests(TinyServedModel served) : IClassFixture<TinyServedModel>
{
    [Fact]
    public async Task The_served_name_replaces_the_checkpoint_name_everywhere_a_client_sees_it()
    {
        await using var server = await CompletionServer.StartAsync(served.Generator, new ServerOptions { Port = 0, ServedModelName = "my-coder" });
        var client = new OpenAiProtocolClient(server.BaseAddress);
        var model = Assert.Single((await client.Client.GetOpenAIModelClient().GetModelsAsync()).Value);
        Assert.Equal("my-coder", model.Id);

        var (status, body) = await client.CompleteAsync(new { model = "my-coder", prompt = "def f():\n", max_tokens = 2 });
        Assert.Equal(200, status);
        Assert.Equal("my-coder", (string?)body["model"]);

        var (wrong, error) = await client.CompleteAsync(new { model = served.Generator.ModelName, prompt = "x", max_tokens = 1 });
        Assert.Equal(404, wrong);
        Assert.Contains("my-coder", (string?)error["error"]!["message"]);
    }
}
