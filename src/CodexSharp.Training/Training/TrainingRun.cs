using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Io;
using CodexSharp.Model;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// A run's output folder: the lock that keeps a second run out, the model it trains, metrics.jsonl (appended and
/// flushed per step, cut back to the checkpoint on resume) and train.json (the record). Refuses a folder that
/// was written with other data or settings.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    public const string MetricsFile = "metrics.jsonl";
    public const string RecordFile = "train.json";
    public const string PlotFile = "loss.svg";

    private readonly TrainingConfig config;
    private readonly TokenData data;
    private readonly JournalFile journal;
    private readonly DateTimeOffset started;
    private readonly List<(int Step, double Loss)> trainLosses = [];
    private readonly List<(int Step, double Loss)> validationLosses = [];

    private TrainingRun(TrainingConfig config, TokenData data, string directory, JournalFile journal, GptModel model, DateTimeOffset started)
    {
        this.config = config;
        this.data = data;
        Directory = directory;
        this.journal = journal;
        Model = model;
        this.started = started;
    }

    public string Directory { get; }

    /// <summary>The model to train (the caller disposes it): the --init model, or a fresh one of the preset.</summary>
    public GptModel Model { get; }

    public static TrainingRun Open(TrainingConfig config, TokenData data, string directory)
    {
        if (File.Exists(directory)) throw new UserInputException($"--out {directory}: a file is in the way; expected a folder");
        OutputFiles.Guard(directory, () => System.IO.Directory.CreateDirectory(directory));
        var recordPath = Path.Combine(directory, RecordFile);
        var journal = JournalFile.Open(Path.Combine(directory, MetricsFile), Path.Combine(directory, MetricsFile));
        GptModel? model = null;
        try
        {
            var started = DateTimeOffset.UtcNow;
            if (File.Exists(recordPath)) started = CheckSameRun(config, data, recordPath);
            else if (new[] { LocalCheckpoint.ConfigFile, LocalCheckpoint.WeightsFile, TrainingCheckpoint.StateFile }.Any(f => File.Exists(Path.Combine(directory, f))))
                throw new UserInputException($"--out {directory}: holds a checkpoint that no training run wrote (no {RecordFile}); train into another folder, or start from it with --init local:{directory}");
            model = CreateModel(config, data, directory);
            return new TrainingRun(config, data, directory, journal, model, started);
        }
        catch
        {
            model?.Dispose();
            journal.Dispose();
            throw;
        }
    }

    /// <summary>Cuts metrics.jsonl back to the rows of steps up to <paramref name="step"/> (what the checkpoint holds).</summary>
    public void StartJournal(int step)
    {
        var keep = 0;
        foreach (var line in journal.Lines)
        {
            var row = JsonNode.Parse(line)!.AsObject();
            var rowStep = row["step"]!.GetValue<int>();
            if (rowStep > step) break;
            keep++;
            if (row["train_loss"] is { } train) trainLosses.Add((rowStep, train.GetValue<double>()));
            if (row["val_loss"] is { } validation) validationLosses.Add((rowStep, validation.GetValue<double>()));
        }
        journal.KeepFirst(keep);
    }

    public void AppendStep(StepReport step)
    {
        trainLosses.Add((step.Step, step.TrainLoss));
        journal.Append(JsonSerializer.Serialize(new JsonObject
        {
            ["step"] = step.Step, ["tokens"] = step.Tokens, ["lr"] = step.LearningRate, ["train_loss"] = step.TrainLoss,
            ["grad_norm"] = double.IsFinite(step.GradientNorm) ? step.GradientNorm : null,
            ["tokens_per_s"] = Math.Round(step.TokensPerSecond, 1), ["mfu"] = Math.Round(step.Mfu, 4),
        }));
    }

    /// <summary>Appends the validation row and redraws the loss curve.</summary>
    public void AppendValidation(int step, long tokens, double loss)
    {
        validationLosses.Add((step, loss));
        journal.Append(JsonSerializer.Serialize(new JsonObject { ["step"] = step, ["tokens"] = tokens, ["val_loss"] = loss }));
        LossCurve.Write(Path.Combine(Directory, PlotFile), trainLosses, validationLosses);
    }

    public void FinishJournal() => LossCurve.Write(Path.Combine(Directory, PlotFile), trainLosses, validationLosses);

    /// <summary>Writes train.json: the configuration, data, model, precision, progress and compute.</summary>
    public void WriteRecord(TrainingCheckpoint.Counters counters, Precision precision, double peakGflops, double flopsPerToken, string status)
    {
        var identity = new JsonObject();
        foreach (var (name, value) in config.Identity()) identity[name] = value;
        var record = new JsonObject
        {
            ["tool"] = "codexsharp train",
            ["version"] = ToolInfo.Version,
            ["status"] = status,
            ["started_utc"] = started.ToString("O", CultureInfo.InvariantCulture),
            ["updated_utc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["config"] = JsonSerializer.SerializeToNode(config),
            ["identity"] = identity,
            ["data"] = new JsonObject
            {
                ["directory"] = data.Directory, ["manifest_sha256"] = data.ManifestSha256, ["tokenizer"] = data.Tokenizer,
                ["train_tokens"] = data.TrainTokens, ["val_tokens"] = data.ValidationTokens,
            },
            ["model"] = JsonNode.Parse(Model.Config.ToJson()),
            ["parameters"] = Model.Config.ParameterCount,
            ["precision"] = new JsonObject { ["requested_bf16"] = config.BFloat16, ["used"] = precision.Name, ["note"] = precision.Note },
            ["machine"] = new JsonObject
            {
                ["threads"] = get_num_threads(), ["matmul_peak_gflops"] = Math.Round(peakGflops, 1), ["matmul_peak_dtype"] = precision.Type.ToString(),
            },
            ["progress"] = new JsonObject
            {
                ["step"] = counters.Step, ["tokens"] = counters.Tokens, ["training_seconds"] = Math.Round(counters.TrainingSeconds, 2),
            },
            ["compute"] = new JsonObject
            {
                ["flops_formula"] = "6N + 12·L·H·Q·T per token (PaLM)", ["flops_per_token"] = flopsPerToken,
                ["flops"] = flopsPerToken * counters.Tokens, ["cpu_hours"] = Math.Round(counters.CpuSeconds / 3600, 4),
            },
        };
        AtomicFile.WriteAllText(Path.Combine(Directory, RecordFile), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    public void Dispose() => journal.Dispose();

    /// <summary>Throws when train.json says the folder holds another run; returns when that run started.</summary>
    private static DateTimeOffset CheckSameRun(TrainingConfig config, TokenData data, string recordPath)
    {
        JsonObject record;
        try
        {
            record = JsonNode.Parse(File.ReadAllText(recordPath))?.AsObject() ?? throw new UserInputException($"{recordPath}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw UserInputException.At(recordPath, (e.LineNumber ?? 0) + 1, e.Path, e.Message);
        }
        var directory = Path.GetDirectoryName(recordPath)!;
        var recordedData = record["data"]?["manifest_sha256"]?.GetValue<string>();
        if (recordedData != data.ManifestSha256)
        {
            throw new UserInputException($"--out {directory}: was trained on other data (corpus.json SHA-256 {recordedData?[..12]}…, --data {data.Directory} has {data.ManifestSha256[..12]}…); use another --out, or the same --data to continue");
        }
        var recorded = record["identity"]?.AsObject();
        foreach (var (name, value) in config.Identity())
        {
            var before = recorded?[name]?.GetValue<string>();
            if (before != value)
            {
                throw new UserInputException($"--out {directory}: was written with {name} {before ?? "(unset)"}, this run has {name} {value}; use another --out, or the same settings to continue");
            }
        }
        return DateTimeOffset.TryParse(record["started_utc"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started)
            ? started : DateTimeOffset.UtcNow;
    }

    /// <summary>The --init model or a fresh preset, checked against the corpus and the flags.</summary>
    private static GptModel CreateModel(TrainingConfig config, TokenData data, string directory)
    {
        GptModel model;
        if (config.Init is { } init)
        {
            if (!LocalModelLoader.IsLocalModel(init)) throw new UserInputException($"--init '{init}': expected local:DIR or hf:DIR");
            model = LocalModelLoader.Load(init).Model;
            if (config.Preset is { } name)
            {
                var preset = GptPresets.ByName(name);
                if ((preset.Layers, preset.Heads, preset.Width) != (model.Config.Layers, model.Config.Heads, model.Config.Width))
                {
                    var shape = $"{model.Config.Layers} layers × {model.Config.Width} wide, {model.Config.Heads} heads";
                    model.Dispose();
                    throw new UserInputException($"--init {init}: is {shape}, but --preset {name} is {preset.Layers} × {preset.Width}, {preset.Heads} heads; drop --preset to train the --init model's shape");
                }
            }
        }
        else
        {
#pragma warning disable CA2000 // disposed by the catch below, or owned by the caller
            model = GptModel.CreateRandom(config.Shape ?? GptPresets.ByName(config.Preset ?? "tiny"), config.Seed);
#pragma warning restore CA2000
        }
        try
        {
            var source = config.Init is null ? $"--preset {config.Preset ?? "tiny"}" : $"--init {config.Init}";
            if (model.Config.Tokenizer != data.Tokenizer)
                throw new UserInputException($"--data {data.Directory}: the corpus was tokenized with {data.Tokenizer}, but the model ({source}) uses {model.Config.Tokenizer}; rebuild the corpus or choose a model with {data.Tokenizer}");
            if (config.BlockSize is { } block && block > model.Config.Context)
                throw new UserInputException($"--block-size {block}: longer than the model's context ({model.Config.Context} tokens, {source})");
            _ = directory;
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
