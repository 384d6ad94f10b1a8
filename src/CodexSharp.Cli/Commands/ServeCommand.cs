using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Model;
using CodexSharp.Serving;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp serve</c>: an OpenAI-compatible completions server over a local checkpoint.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServerOptions();
        var model = new Option<string>("--model") { Description = "The model: local:CHECKPOINT_DIR or hf:DIR.", Required = true };
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => defaults.Host };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => defaults.Port };
        var batchRows = new Option<int>("--max-batch-rows") { Description = "Most samples decoded together; concurrent requests are merged up to this.", DefaultValueFactory = _ => new LocalModelOptions().MaxBatchRows };
        var bf16 = new Option<bool>("--bf16") { Description = "Run the weights in bfloat16 (faster on CPUs with AVX-512 BF16)." };
        var command = new Command("serve", "Serve a local model over HTTP: OpenAI-compatible POST /v1/completions and GET /v1/models.") { model, host, port, batchRows, bf16 };
        command.SetAction(async (parse, ct) =>
        {
            var spec = parse.GetValue(model)!;
            if (!LocalModelLoader.IsLocalModel(spec)) throw new UserInputException($"--model '{spec}': serve needs local:DIR or hf:DIR");
            var options = new LocalModelOptions { MaxBatchRows = Math.Max(1, parse.GetValue(batchRows)), BFloat16 = parse.GetValue(bf16) };
            using var generator = LocalModelGenerator.Load(spec, options);
            var serverOptions = defaults with { Host = parse.GetValue(host)!, Port = parse.GetValue(port) };
            await using var server = await CompletionServer.StartAsync(generator, serverOptions, ct);
            // One line on stdout that scripts and tests wait for: the OpenAI base URL.
            Console.WriteLine($"serving {generator.ModelName} at {server.BaseAddress}v1");
            Console.Out.Flush();
            await server.WaitForShutdownAsync(ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
