using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Core.Problems;
using CodexSharp.Generation;
using CodexSharp.Generation.Resilience;
using CodexSharp.Generation.Running;
using CodexSharp.Generation.Specs;
using CodexSharp.Model;
using Spectre.Console;

namespace CodexSharp.Cli.Commands;

/// <summary>The flags <c>generate</c> and <c>run</c> share, and the generation step they both perform.</summary>
internal sealed class GenerationFlags
{
    /// <summary>Temperature when --temperature is not given: the paper's pass@100 setting for n ≥ 100, its pass@1 setting below.</summary>
    public static double DefaultTemperature(int n) => n >= 100 ? 0.8 : 0.2;

    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = $"The model: {ModelSpec.Forms}.",
        Required = true,
    };

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

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[Model, N, Out, Temperature, TopP, MaxTokens, Seed, Concurrency, PerRequest, Limit, ApiKeyEnv, RequestTimeout, Retries, RequestsPerMinute, MaxChoices, BFloat16])
            command.Options.Add(option);
        Problems.AddTo(command);
    }

    /// <summary>Samples the problems into the --out file. Returns the problems and the samples path.</summary>
    public async Task<(ProblemSet Problems, string SamplesPath, string Source)> GenerateAsync(ParseResult parse, CancellationToken ct)
    {
        var spec = ModelSpec.Parse(parse.GetValue(Model)!);
        var bf16 = parse.GetValue(BFloat16);
        if (bf16 && !spec.IsLocal) throw new UserInputException($"--bf16: only for models run in process (local:DIR, hf:DIR), not {spec.Text}.");
        var n = Positive(parse.GetValue(N), "--n");
        var outPath = parse.GetValue(Out)!.FullName;
        var (problems, source) = await Problems.LoadAsync(parse, ct);
        var limit = parse.GetValue(Limit);
        var selected = limit is { } l ? problems.Problems.Take(Positive(l, "--limit")).ToList() : problems.Problems.ToList();
        var tasks = selected.Select(p => new GenerationTask(p.TaskId, p.Prompt)).ToList();

        var temperature = parse.GetValue(Temperature) ?? RecordedTemperature(outPath) ?? DefaultTemperature(n);
        if (!(temperature >= 0)) throw new UserInputException("--temperature: expected 0 or more.");
        var topP = parse.GetValue(TopP);
        if (!(topP > 0 && topP <= 1)) throw new UserInputException("--top-p: expected a number in (0, 1].");
        var options = new GenerationRunOptions
        {
            SamplesPerTask = n,
            Concurrency = Positive(parse.GetValue(Concurrency), "--concurrency"),
            SamplesPerRequest = Positive(parse.GetValue(PerRequest), "--samples-per-request"),
            Sampling = new SamplingOptions
            {
                Temperature = temperature,
                TopP = topP,
                MaxTokens = Positive(parse.GetValue(MaxTokens), "--max-tokens"),
                Seed = parse.GetValue(Seed),
                Stop = StopSequences.Paper,
            },
        };
        var settings = new BackendSettings
        {
            ApiKeyVariable = parse.GetValue(ApiKeyEnv)!,
            RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(RequestTimeout) is > 0 and var s ? s : throw new UserInputException("--request-timeout: expected a positive number of seconds.")),
            Retry = new RetryOptions { MaxRetries = parse.GetValue(Retries) is >= 0 and var r ? r : throw new UserInputException("--retries: expected 0 or more.") },
            RequestsPerMinute = parse.GetValue(RequestsPerMinute) is { } rpm ? (rpm > 0 ? rpm : throw new UserInputException("--requests-per-minute: expected a positive number.")) : null,
            MaxChoicesPerRequest = parse.GetValue(MaxChoices) is { } mc ? Positive(mc, "--max-n-per-request") : null,
            Dataset = source,
        };

        var factory = new CodeGeneratorFactory(
            localModels: local => LocalModelGenerator.Load((local.Kind == ModelSpecKind.Local ? "local:" : "hf:") + local.Model, new LocalModelOptions { BFloat16 = bf16 }),
            notice: message => Warn(message),
            onRetry: retry => Warn($"retry {retry.Attempt} in {retry.Delay.TotalSeconds:0.0} s: {retry.Reason}"));
        using var generator = factory.Create(spec, settings);
        if (await factory.CheckServedModelAsync(spec, settings, ct) is { } mismatch) Warn(mismatch);
        var backend = BackendOptions(spec, settings);
        if (spec.IsLocal && backend is JsonObject local) local["dtype"] = bf16 ? "bfloat16" : "float32";
        var record = GenerationRecord.Build(spec.Text, spec.Kind.ToString(), spec.Model, backend, options,
            new DatasetIdentity(source == "file" ? Path.GetFileName(problems.Path) : source, problems.Path, problems.Sha256, tasks.Count));

        AnsiConsole.MarkupLineInterpolated($"generating {n} sample(s) for each of {tasks.Count} problems with {spec.Text} (T={temperature}, top-p={topP}, max {options.Sampling.MaxTokens} tokens) into {outPath}");
        var runner = (Action<GenerationProgress> progress) => new GenerationRunner(generator, Warn, progress).RunAsync(tasks, options, outPath, record, ct);
        GenerationRunSummary summary;
        try
        {
            summary = await GenerationProgressView.RunAsync(runner);
        }
        catch (GenerationBackendException e)
        {
            throw new GenerationFailedException($"{e.Message}\nsamples received so far are saved in {outPath}; run the same command again to continue.");
        }
        AnsiConsole.MarkupLineInterpolated($"samples: {summary.Written} new, {summary.AlreadyPresent} already there, {summary.SamplesTotal} wanted; {summary.Tokens} tokens in {summary.Elapsed.TotalSeconds:0.0} s");
        AnsiConsole.MarkupLineInterpolated($"record: {GenerationRecord.PathFor(outPath)}");
        return (problems, outPath, source);
    }

    private static JsonNode? BackendOptions(ModelSpec spec, BackendSettings settings)
    {
        object? options = spec.Kind switch
        {
            ModelSpecKind.OpenAICompletions => CodeGeneratorFactory.CompletionsOptions(spec, settings),
            ModelSpecKind.Chat or ModelSpecKind.Ollama => CodeGeneratorFactory.ChatOptions(spec, settings),
            _ => null,
        };
        var node = options is null ? new JsonObject { ["path"] = Path.GetFullPath(spec.Model) } : JsonSerializer.SerializeToNode(options, options.GetType(), RecordJson);
        if (node is JsonObject o && spec.Endpoint is not null) o["endpoint"] = spec.Endpoint.ToString();
        if (node is JsonObject withKey) withKey["api_key_env"] = settings.ApiKeyVariable;
        return node;
    }

    private static readonly JsonSerializerOptions RecordJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static double? RecordedTemperature(string samplesPath)
    {
        if (!File.Exists(samplesPath) || new FileInfo(samplesPath).Length == 0) return null;
        return GenerationRecord.TryRead(GenerationRecord.PathFor(samplesPath))?["temperature"] is JsonValue t && t.TryGetValue<double>(out var value) ? value : null;
    }

    private static int Positive(int value, string flag) =>
        value >= 1 ? value : throw new UserInputException($"{flag}: expected 1 or more, got {value}.");

    private static void Warn(string message) => EvaluationFlags.Warn(message);
}

/// <summary>Generation stopped on a backend fault; the message says what happened and that a re-run continues (exit code 1).</summary>
internal sealed class GenerationFailedException(string message) : Exception(message);
