using CodexSharp.Core;
using CodexSharp.Core.Benchmarks;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Running;
using CodexSharp.Generation.Specs;

namespace CodexSharp.Generation;

/// <summary>
/// Everything one <c>generate</c> stage needs, resolved and checked before any work starts. The command line binds
/// it from flags; its fields (and the problems' checksum, tool version and run state) are written beside the
/// samples as the run's record (<see cref="GenerationRecord"/>), so a samples file says how it was made.
/// </summary>
public sealed record GenerationConfig
{
    /// <summary>The model to sample from, parsed once.</summary>
    public required ModelSpec Model { get; init; }

    /// <summary>The samples file (JSONL) to create or continue.</summary>
    public required string SamplesPath { get; init; }

    /// <summary>A local problems file; null means <see cref="Dataset"/>.</summary>
    public string? ProblemsFile { get; init; }

    /// <summary>The benchmark by name (null means humaneval); its published file is used when <see cref="ProblemsFile"/> is null.</summary>
    public string? Dataset { get; init; }

    /// <summary>Sample only the first this many problems (a quick trial); null: all.</summary>
    public int? Limit { get; init; }

    /// <summary>Samples per problem (the paper: 200); a re-run tops each problem up to this.</summary>
    public int SamplesPerTask { get; init; } = 1;

    /// <summary>Temperature, top-p, top-k, max tokens, stop sequences, seed. The default temperature depends on n (<see cref="DefaultTemperature"/>).</summary>
    public SamplingOptions Sampling { get; init; } = new() { Temperature = DefaultTemperature(1) };

    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Samples asked for in one request.</summary>
    public int SamplesPerRequest { get; init; } = 10;

    /// <summary>Key variable, timeouts, retries, rate limit and choice cap of a server backend.</summary>
    public BackendSettings Backend { get; init; } = new();

    /// <summary>Run an in-process model (local:, hf:) with bfloat16 weights.</summary>
    public bool BFloat16 { get; init; }

    /// <summary>Most samples an in-process model decodes together (requests in flight are merged up to this); null = the model's default.</summary>
    public int? MaxBatchRows { get; init; }

    /// <summary>Sample only this shard's tasks (whole tasks; see <see cref="Running.GenerationShards"/>), into the shard's own samples file. Default: null, every task.</summary>
    public Core.Sharding.ShardChoice? Shard { get; init; }

    /// <summary>The samples file this run writes: <see cref="SamplesPath"/>, or its shard's name beside it (NAME.shard-I-of-N.jsonl).</summary>
    public string ResolvedSamplesPath => Shard is { } s ? Core.Io.OutputPaths.Shard(SamplesPath, s.Spec.Index, s.Spec.Count) : SamplesPath;

    /// <summary>CPU threads of a GGUF model run in process (gguf:PATH); null uses every core.</summary>
    public int? Threads { get; init; }

    /// <summary>Temperature when none is given: the paper's pass@100 setting (0.8) for n ≥ 100, its pass@1 setting (0.2) below (§3.3).</summary>
    public static double DefaultTemperature(int n) => n >= 100 ? 0.8 : 0.2;

    /// <summary>What the runner needs of this config.</summary>
    public GenerationRunOptions RunOptions => new()
    {
        SamplesPerTask = SamplesPerTask,
        Sampling = Sampling,
        Concurrency = Concurrency,
        SamplesPerRequest = SamplesPerRequest,
    };

    /// <summary>Checks every field, including that the samples file can be written; returns this config.</summary>
    /// <exception cref="ConfigException">A field holds a value the run cannot use; <see cref="ConfigException.Field"/> names it.</exception>
    public GenerationConfig Validated()
    {
        Require(SamplesPerTask >= 1, "samples_per_task", $"expected 1 or more, got {SamplesPerTask}.");
        Require(Limit is null or >= 1, "limit", $"expected 1 or more, got {Limit}.");
        Require(Concurrency >= 1, "concurrency", $"expected 1 or more, got {Concurrency}.");
        Require(SamplesPerRequest >= 1, "samples_per_request", $"expected 1 or more, got {SamplesPerRequest}.");
        Require(double.IsFinite(Sampling.Temperature) && Sampling.Temperature >= 0, "temperature", $"expected a finite number, 0 or more, got {Sampling.Temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        Require(Sampling.TopP > 0 && Sampling.TopP <= 1, "top_p", $"expected a number in (0, 1], got {Sampling.TopP}.");
        Require(Sampling.TopK is null or >= 1, "top_k", $"expected 1 or more, got {Sampling.TopK}.");
        Require(Sampling.MaxTokens >= 1, "max_tokens", $"expected 1 or more, got {Sampling.MaxTokens}.");
        Require(!string.IsNullOrWhiteSpace(Backend.ApiKeyVariable), "api_key_env", "expected the name of an environment variable.");
        Require(Backend.RequestTimeout > TimeSpan.Zero, "request_timeout", "expected a positive number of seconds.");
        Require(Backend.Retry.MaxRetries >= 0, "retries", $"expected 0 or more, got {Backend.Retry.MaxRetries}.");
        Require(Backend.RequestsPerMinute is null or > 0, "requests_per_minute", $"expected a positive number, got {Backend.RequestsPerMinute}.");
        Require(Backend.MaxChoicesPerRequest is null or >= 1, "max_choices_per_request", $"expected 1 or more, got {Backend.MaxChoicesPerRequest}.");
        Require(MaxBatchRows is null or (>= 1 and <= 4096), "max_batch_rows", $"expected 1 to 4096, got {MaxBatchRows}.");
        Require(MaxBatchRows is null || Model.IsLocal, "max_batch_rows", $"only for models run in process (local:DIR, hf:DIR, gguf:PATH), not {Model.Text}.");
        Require(!BFloat16 || (Model.IsLocal && !Model.IsGguf), "bf16", $"only for models run in process from our checkpoints (local:DIR, hf:DIR), not {Model.Text}.");
        Require(Threads is null or >= 1, "threads", $"expected 1 or more, got {Threads}.");
        Require(Threads is null || Model.IsGguf, "threads", $"only for GGUF models (gguf:PATH, gguf-chat:PATH), not {Model.Text}.");
        Require(ProblemsFile is null || File.Exists(ProblemsFile) || Directory.Exists(ProblemsFile), "problems_file", $"{ProblemsFile}: no such file or folder.");
        Require(Dataset is null || BenchmarkCatalog.TryFind(Dataset) is not null,
            "dataset", $"no benchmark called '{Dataset}'; known: {string.Join(", ", BenchmarkCatalog.All.Select(d => d.Name))}.");
        if (OutputProblem(SamplesPath) is { } problem) throw new ConfigException("samples_path", problem);
        return this;
    }

    private static void Require(bool ok, string field, string problem)
    {
        if (!ok) throw new ConfigException(field, problem);
    }

    /// <summary>Why <paramref name="path"/> cannot be the samples file, or null when it can: it must not be a folder, and it
    /// (or, for a new file, its nearest existing folder) must be writable.</summary>
    private static string? OutputProblem(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) return "expected a file path.";
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return $"{path} is a folder; expected a samples file in it, e.g. {Path.Combine(path, "samples.jsonl")}.";
        try
        {
            if (File.Exists(full))
            {
                using (new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) { }
                return null;
            }
            var folder = Path.GetDirectoryName(full);
            while (folder is not null && !Directory.Exists(folder))
            {
                if (File.Exists(folder)) return $"{path} cannot be created: {folder} is a file, not a folder.";
                folder = Path.GetDirectoryName(folder);
            }
            if (folder is null) return $"{path} cannot be created: no folder of it exists.";
            var probe = Path.Combine(folder, $".codexsharp-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{path} cannot be written ({e.Message}).";
        }
    }
}
