using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using CodexSharp.Core;
using CodexSharp.Gguf;
using CodexSharp.Model;
using CodexSharp.Serving;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp serve</c>: an OpenAI-compatible completions server over a local checkpoint.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServerOptions();
        var model = new Option<string>("--model") { Description = "The model: default (the shipped model), local:CHECKPOINT_DIR, hf:DIR or gguf:PATH.", Required = true };
        var host = new Option<string>("--host") { Description = "IP address to listen on (or localhost).", DefaultValueFactory = _ => defaults.Host };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => defaults.Port };
        var batchRows = new Option<int>("--max-batch-rows") { Description = "Most samples decoded together; concurrent requests are merged up to this.", DefaultValueFactory = _ => new LocalModelOptions().MaxBatchRows };
        var queuedTokens = new Option<long>("--max-queued-tokens")
        {
            Description = "Most new tokens (prompts × n × max_tokens, summed over running and waiting requests) the server takes on; beyond it requests get 429 server_busy.",
            DefaultValueFactory = _ => defaults.MaxQueuedTokens,
        };
        var bf16 = new Option<bool>("--bf16") { Description = "Run the weights in bfloat16 (faster on CPUs with AVX-512 BF16)." };
        var servedName = new Option<string?>("--served-model-name") { Description = "The model's name for clients (/v1/models and the 'model' field); default: the checkpoint's own name, printed on the first line." };
        var command = new Command("serve", $"Serve a local model over HTTP: OpenAI-compatible POST /v1/completions and GET /v1/models (at most n = {defaults.MaxN} and max_tokens = {defaults.MaxTokensLimit} per request).")
        {
            model, host, port, batchRows, queuedTokens, bf16, servedName,
        };
        command.SetAction(async (parse, ct) =>
        {
            var spec = parse.GetValue(model)!;
            if (!InProcessModels.Names(spec)) throw new UserInputException($"--model '{spec}': serve needs default, local:DIR, hf:DIR or gguf:PATH");
            var address = parse.GetValue(host)!;
            if (address != "localhost" && !IPAddress.TryParse(address, out _))
            {
                throw new UserInputException($"--host '{address}': expected an IP address such as 127.0.0.1 or 0.0.0.0, or localhost");
            }
            var portNumber = parse.GetValue(port);
            if (portNumber is < 0 or > 65535) throw new UserInputException($"--port {portNumber}: expected 0 to 65535 (0 picks a free port)");
            var maxQueuedTokens = parse.GetValue(queuedTokens);
            if (maxQueuedTokens < 1) throw new UserInputException($"--max-queued-tokens {maxQueuedTokens}: expected 1 or more");
            // The server answers an over-long prompt with a 400 instead of truncating it.
            var options = new LocalModelOptions { MaxBatchRows = Math.Max(1, parse.GetValue(batchRows)), BFloat16 = parse.GetValue(bf16), TruncateLongPrompts = false };
            using var generator = InProcessModels.Load(spec, options);
            var name = parse.GetValue(servedName);
            if (name is not null && (name.Length == 0 || name.Any(char.IsWhiteSpace) || name.Contains('@')))
                throw new UserInputException($"--served-model-name '{name}': expected a name without spaces or '@' (clients write openai:NAME@URL).");
            var serverOptions = defaults with
            {
                Host = address, Port = portNumber, MaxQueuedTokens = maxQueuedTokens, ContextTokens = generator.Context, ServedModelName = name,
            };
            CompletionServer server;
            try
            {
                server = await CompletionServer.StartAsync(generator, serverOptions, ct);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                throw new UserInputException($"--host {address} --port {portNumber}: cannot listen there: {e.Message}");
            }
            await using (server)
            {
                // One line on stdout that scripts and tests wait for: the OpenAI base URL.
                var served = name ?? generator.ModelName;
                Console.WriteLine($"serving {served} at {server.BaseAddress}v1");
                Console.Out.Flush();
                Console.Error.WriteLine($"clients: --model openai:{served}@{server.BaseAddress}v1");
                await server.WaitForShutdownAsync(ct);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
