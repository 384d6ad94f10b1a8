using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Datasets;
using CodexSharp.Core.Generation;
using CodexSharp.Core.Problems;
using CodexSharp.Generation;
using CodexSharp.Generation.Resilience;
using CodexSharp.Generation.Running;
using CodexSharp.Generation.Specs;
using CodexSharp.Gguf;
using CodexSharp.Model;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary>The flags <c>generate</c> and <c>run</c> share: bound into a validated <see cref="GenerationConfig"/>
/// before any work, then run.</summary>
internal sealed class GenerationFlags
{
    /// <summary>Config field → the flag that sets it, so that a config error names what the user typed.</summary>
    private static readonly Dictionary<string, string> FlagOf = new()
    {
        ["model"] = "--model", ["samples_path"] = "--out", ["problems_file"] = "--problems", ["dataset"] = "--dataset",
        ["limit"] = "--limit", ["samples_per_task"] = "--n", ["temperature"] = "--temperature", ["top_p"] = "--top-p",
        ["max_tokens"] = "--max-tokens", ["concurrency"] = "--concurrency", ["samples_per_request"] = "--samples-per-request",
        ["api_key_env"] = "--api-key-env", ["request_timeout"] = "--request-timeout", ["retries"] = "--retries",
        ["requests_per_minute"] = "--requests-per-minute", ["max_choices_per_request"] = "--max-n-per-request", ["bf16"] = "--bf16", ["max_batch_rows"] = "--max-batch-rows",
        ["threads"] = "--threads",
    };

    public Option<string> Model { get; } = new("--model", "-m") { Description = $"The model: {ModelSpec.Forms}.", Required = true };

    public ProblemOptions Problems { get; } = new();

    public Option<int> N { get; } = new("--n") { Description = "Samples per problem (the paper: 200).", DefaultValueFactory = _ => 1 };

    public Option<FileInfo> Out { get; } = new("--out", "-o") { Description = "Samples file (JSONL), created or continued.", Required = true };

    public Option<double?> Temperature { get; } = new("--temperature", "-t")
    {
        Description = "Sampling temperature (default: the value the samples file was started with, else 0.2 for n < 100 and 0.8 for n >= 100, as the paper's pass@1 and pass@100).",
    };

    public Option<double> TopP { get; } = new("--top-p") { Description = "Nucleus sampling mass (the paper: 0.95).", DefaultValueFactory = _ => 0.95 };

    public Option<int> MaxTokens { get; } = new("--max-tokens") { Description = "Most new tokens per sample.", DefaultValueFactory = _ => 300 };

    public Option<long?> Seed { get; } = new("--seed") { Description = "Seed for reproducible sampling, where the backend supports it." };

    public Option<int> Concurrency { get; } = new("--concurrency", "-j") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 4 };

    public Option<int> PerRequest { get; } = new("--samples-per-request") { Description = "Samples asked for in one request.", DefaultValueFactory = _ => 10 };

    public Option<int?> Limit { get; } = new("--limit") { Description = "Sample only the first N problems (a quick trial)." };

    public Option<string> ApiKeyEnv { get; } = new("--api-key-env") { Description = "Environment variable holding the API key.", DefaultValueFactory = _ => "OPENAI_API_KEY" };

    public Option<double> RequestTimeout { get; } = new("--request-timeout") { Description = "Seconds one request may take before it is retried.", DefaultValueFactory = _ => 600.0 };

    public Option<int> Retries { get; } = new("--retries") { Description = "Retries of a request after 429, 5xx, timeouts and dropped connections.", DefaultValueFactory = _ => 6 };

    public Option<double?> RequestsPerMinute { get; } = new("--requests-per-minute") { Description = "Most requests per minute (for rate-limited APIs)." };

    public Option<int?> MaxChoices { get; } = new("--max-n-per-request") { Description = "Most samples the server returns per request (it is learned when a server returns fewer)." };

    public Option<bool> BFloat16 { get; } = new("--bf16")
    {
        Description = "Run an in-process model (local:, hf:) with bfloat16 weights: faster on CPUs with AVX-512 BF16, log-probabilities within a few hundredths of a nat.",
    };

    public Option<int?> MaxBatchRows { get; } = new("--max-batch-rows")
    {
        Description = "Most samples an in-process model (local:, hf:) decodes together; requests in flight are merged up to this (default 32). Larger batches are faster per token for small models.",
    };

    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads of a GGUF model (gguf:PATH); default: every core." };

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[Model, N, Out, Temperature, TopP, MaxTokens, Seed, Concurrency, PerRequest, Limit, ApiKeyEnv, RequestTimeout, Retries, RequestsPerMinute, MaxChoices, BFloat16, MaxBatchRows, Threads])
            command.Options.Add(option);
        Problems.AddTo(command);
    }

    /// <summary>Binds every generation flag into a config and checks it completely; nothing is loaded or sampled yet.</summary>
    /// <exception cref="UserInputException">A flag's value is wrong; the message names the flag.</exception>
    public GenerationConfig Bind(ParseResult parse)
    {
        try
        {
            var n = parse.GetValue(N);
            var outPath = parse.GetValue(Out)!.FullName;
            var timeout = parse.GetValue(RequestTimeout);
            return new GenerationConfig
            {
                Model = ModelSpec.Parse(parse.GetValue(Model)!),
                SamplesPath = outPath,
                ProblemsFile = parse.GetValue(Problems.Problems)?.FullName,
                Dataset = parse.GetValue(Problems.Dataset),
                Limit = parse.GetValue(Limit),
                SamplesPerTask = n,
                Sampling = new SamplingOptions
                {
                    Temperature = parse.GetValue(Temperature) ?? RecordedTemperature(outPath) ?? GenerationConfig.DefaultTemperature(n),
                    TopP = parse.GetValue(TopP),
                    MaxTokens = parse.GetValue(MaxTokens),
                    Seed = parse.GetValue(Seed),
                    Stop = StopSequences.Paper,
                },
                Concurrency = parse.GetValue(Concurrency),
                SamplesPerRequest = parse.GetValue(PerRequest),
                Backend = new BackendSettings
                {
                    ApiKeyVariable = parse.GetValue(ApiKeyEnv)!,
                    RequestTimeout = timeout > 0 && timeout < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(timeout) : TimeSpan.Zero,
                    Retry = new RetryOptions { MaxRetries = parse.GetValue(Retries) },
                    RequestsPerMinute = parse.GetValue(RequestsPerMinute),
                    MaxChoicesPerRequest = parse.GetValue(MaxChoices),
                },
                BFloat16 = parse.GetValue(BFloat16),
                MaxBatchRows = parse.GetValue(MaxBatchRows),
                Threads = parse.GetValue(Threads),
            }.Validated();
        }
        catch (ConfigException e)
        {
            throw new UserInputException($"{FlagOf.GetValueOrDefault(e.Field, e.Field)}: {e.Reason}");
        }
    }

    /// <summary>Loads the problems, opens the model and samples into the config's samples file. Tasks the backend
    /// refused are listed on stderr and in the record; the run fails (exit 1) only when it refused every task.</summary>
    /// <exception cref="GenerationFailedException">A backend fault stopped the run; the message says whether a re-run continues.</exception>
    public static async Task<GenerationOutcome> RunAsync(GenerationConfig config, CancellationToken ct)
    {
        var (problems, source, benchmark) = await ProblemOptions.LoadAsync(config.ProblemsFile, config.Dataset, ct);
        // The benchmark decides what the model sees and where it stops (MBPP's asserts, C#'s closing brace).
        config = config with { Sampling = config.Sampling with { Stop = benchmark.StopSequences } };
        var selected = config.Limit is { } limit ? problems.Problems.Take(limit) : problems.Problems;
        var all = selected.Select(p => new GenerationTask(p.TaskId, benchmark.PromptOf(p))).ToList();
        var (tasks, shard) = Shards(all, config);
        var outPath = config.ResolvedSamplesPath;
        var spec = config.Model;
        var gguf = new GgufOptions { Threads = config.Threads };
        var factory = new CodeGeneratorFactory(
            localModels: local => local.Kind == ModelSpecKind.GgufChat
                ? GgufChatClient.CodeGenerator(local, gguf, CodeGeneratorFactory.ChatOptions(local))
                : WritesCode(InProcessModels.Load(local, new LocalModelOptions { BFloat16 = config.BFloat16, MaxBatchRows = BatchRows(config) }, gguf), local.Text),
            notice: Warn,
            onRetry: retry => Warn($"retry {retry.Attempt} in {retry.Delay.TotalSeconds:0.0} s: {retry.Reason}"));
        using var generator = factory.Create(spec, config.Backend);
        if (await factory.CheckServedModelAsync(spec, config.Backend, ct) is { } mismatch) Warn(mismatch);
        var record = GenerationShards.WithShard(GenerationRecord.Build(config, BackendOptions(config),
            new DatasetIdentity(source == "file" ? Path.GetFileName(problems.Path) : source, problems.Path, problems.Sha256, all.Count)), shard);

        ShowEarlierRun(outPath);
        var s = config.Sampling;
        // A chat model's reply holds prose and the whole function, so it gets at least the chat backend's reply budget.
        var replyTokens = spec.Kind is ModelSpecKind.Chat or ModelSpecKind.Ollama or ModelSpecKind.GgufChat
            ? Math.Max(s.MaxTokens, CodeGeneratorFactory.ChatOptions(spec).MinReplyTokens ?? 0) : s.MaxTokens;
        AnsiConsole.MarkupLineInterpolated($"generating {config.SamplesPerTask} sample(s) for each of {tasks.Count} problems with {spec.Text} (T={s.Temperature}, top-p={s.TopP}, max {replyTokens} tokens{(replyTokens != s.MaxTokens ? " per reply" : "")}) into {outPath}");
        var runner = (Action<GenerationProgress> progress) => new GenerationRunner(generator, Warn, progress).RunAsync(tasks, config.RunOptions, outPath, record, ct);
        GenerationRunSummary summary;
        try
        {
            summary = await GenerationProgressView.RunAsync(runner);
        }
        catch (GenerationBackendException e)
        {
            var next = e.Kind is BackendFaultKind.RetriesExhausted or BackendFaultKind.Transient
                ? "run the same command again to continue."
                : "running the same command again will fail the same way until the server or the settings change.";
            throw new GenerationFailedException($"{e.Message}\nsamples received so far are saved in {outPath}; {next}");
        }
        var recordPath = GenerationRecord.PathFor(outPath);
        AnsiConsole.MarkupLineInterpolated($"samples: {summary.Written} new, {summary.AlreadyPresent} already there, {summary.SamplesTotal} wanted; {summary.Tokens} tokens in {summary.Elapsed.TotalSeconds:0.0} s");
        AnsiConsole.MarkupLineInterpolated($"record: {recordPath}");
        if (summary.Truncated.Count > 0)
            Warn($"{summary.Truncated.Count} task(s) had their prompt cut to fit the model's context ({Names(summary.Truncated.Select(t => t.TaskId))}); see truncated_prompts in {recordPath}.");
        if (summary.Failed.Count > 0 && summary.Failed.Count == tasks.Count)
            throw new GenerationFailedException($"the backend refused every task; the first answer was: {summary.Failed[0].Error}");
        if (summary.Failed.Count > 0)
            Warn($"{summary.Failed.Count} of {tasks.Count} task(s) were not generated ({Names(summary.Failed.Select(f => f.TaskId))}); the server's reasons are under failed_tasks in {recordPath}; running the same command again retries them.");
        return new GenerationOutcome(problems, outPath, source, benchmark, summary, shard);
    }

    private static (IReadOnlyList<GenerationTask>, Core.Sharding.ShardFacts?) Shards(IReadOnlyList<GenerationTask> tasks, GenerationConfig config)
    {
        try
        {
            return GenerationShards.Select(tasks, config);
        }
        catch (ConfigException e) when (e.Field is "shard" or "shards")
        {
            throw ShardFlags.MapToFlag(e);
        }
    }

    /// <summary>Refuses a Codex-D model (fine-tuned with --task docstring): it writes docstrings, not code.</summary>
    private static IInProcessModel WritesCode(IInProcessModel generator, string spec)
    {
        if (generator.FineTunedTask != "docstring") return generator;
        generator.Dispose();
        throw new UserInputException($"--model {spec}: is a Codex-D model (fine-tuned with --task docstring) and writes docstrings, not code; use generate --task docstring --samples FILE with it");
    }

    /// <summary>Says how the last run of a file that is being continued ended (a killed run reads as interrupted).</summary>
    private static void ShowEarlierRun(string outPath)
    {
        if (!File.Exists(outPath) || new FileInfo(outPath).Length == 0) return;
        if (GenerationRecord.Read(outPath) is not { } earlier) return;
        var status = earlier["status"] is JsonValue v && v.TryGetValue<string>(out var text) ? text : "unknown";
        var count = earlier["samples_in_file"] is JsonValue c && c.TryGetValue<int>(out var k) ? k : 0;
        AnsiConsole.MarkupLineInterpolated($"continuing {outPath}: {count} sample(s) in it; the last run was {status}");
    }

    /// <summary>Rows an in-process model decodes together: --max-batch-rows, or the model's default.</summary>
    private static int BatchRows(GenerationConfig config) => config.MaxBatchRows ?? new LocalModelOptions().MaxBatchRows;

    private static JsonNode? BackendOptions(GenerationConfig config)
    {
        var spec = config.Model;
        object? options = spec.Kind switch
        {
            ModelSpecKind.OpenAICompletions => CodeGeneratorFactory.CompletionsOptions(spec, config.Backend),
            ModelSpecKind.Chat or ModelSpecKind.Ollama => CodeGeneratorFactory.ChatOptions(spec),
            _ => null,
        };
        var node = options is null ? new JsonObject { ["path"] = Path.GetFullPath(spec.Model) } : JsonSerializer.SerializeToNode(options, options.GetType(), RecordJson);
        if (node is not JsonObject o) return node;
        if (spec.Endpoint is not null) o["endpoint"] = spec.Endpoint.ToString();
        o["api_key_env"] = config.Backend.ApiKeyVariable;
        if (!spec.IsLocal)
        {
            o["retries"] = config.Backend.Retry.MaxRetries;
            o["requests_per_minute"] = config.Backend.RequestsPerMinute;
        }
        if (spec.IsLocal)
        {
            o["dtype"] = spec.IsGguf ? "gguf" : config.BFloat16 ? "bfloat16" : "float32";
            o["max_batch_rows"] = BatchRows(config);
            if (spec.IsGguf) o["threads"] = config.Threads ?? Environment.ProcessorCount;
        }
        return o;
    }

    private static readonly JsonSerializerOptions RecordJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static string Names(IEnumerable<string> taskIds)
    {
        var all = taskIds.ToList();
        return string.Join(", ", all.Take(10)) + (all.Count > 10 ? $" and {all.Count - 10} more" : "");
    }

    private static void Warn(string message) => EvaluationFlags.Warn(message);

    private static double? RecordedTemperature(string samplesPath)
    {
        if (!File.Exists(samplesPath) || new FileInfo(samplesPath).Length == 0) return null;
        return GenerationRecord.Read(samplesPath)?["temperature"] is JsonValue t && t.TryGetValue<double>(out var value) ? value : null;
    }
}

/// <summary>What a generation stage produced: the problems, the samples file, the problems' source name, and the run's summary.</summary>
internal sealed record GenerationOutcome(ProblemSet Problems, string SamplesPath, string Source, Core.Benchmarks.Benchmark Benchmark, GenerationRunSummary Summary,
    Core.Sharding.ShardFacts? Shard = null);

/// <summary>Generation stopped on a backend fault; the message says what happened and whether a re-run continues (exit code 1).</summary>
internal sealed class GenerationFailedException(string message) : Exception(message);
