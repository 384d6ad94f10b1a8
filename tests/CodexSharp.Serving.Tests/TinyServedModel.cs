using CodexSharp.Model;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;

namespace CodexSharp.Serving.Tests;

/// <summary>A tiny random-weight checkpoint written to a temp directory and served on 127.0.0.1 (one per test class).</summary>
public sealed class TinyServedModel : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "codexsharp-serving-tests-" + Guid.NewGuid().ToString("N"));

    public LocalModelGenerator Generator { get; private set; } = null!;

    public CompletionServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using (var model = GptModel.CreateRandom(GptPresets.Tiny, seed: 5)) LocalCheckpoint.Save(model, Directory);
        // As `codexsharp serve` runs it: prompts are never truncated, over-long ones are a 400.
        Generator = LocalModelGenerator.Load("local:" + Directory, new LocalModelOptions { TruncateLongPrompts = false });
        Server = await CompletionServer.StartAsync(Generator, new ServerOptions { Port = 0, ContextTokens = Generator.Model.Config.Context });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Generator.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
