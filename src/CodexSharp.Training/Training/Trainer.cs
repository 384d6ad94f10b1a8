using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Model;
using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// Pretraining (nanoGPT-style): each step draws random windows of the token stream (<see cref="BlockSampler"/>) and
/// the shared <see cref="TrainingLoop"/> takes one AdamW step on the warm-up + cosine schedule. Evaluates,
/// checkpoints and appends to metrics.jsonl as it goes; a re-run continues exactly. Writes train.json.
/// </summary>
public sealed class Trainer
{
    public const string RecordFile = "train.json";

    private readonly TrainingConfig config;
    private readonly ITrainingObserver observer;

    public Trainer(TrainingConfig config, ITrainingObserver observer)
    {
        this.config = config.Validate();
        this.observer = observer;
    }

    /// <summary>Runs until max steps, the time limit or <paramref name="cancellation"/> (then checkpoints and throws OperationCanceledException).</summary>
    public TrainingSummary Run(CancellationToken cancellation)
    {
        TorchRuntime.EnsureInitialized();
        using var data = TokenData.Open(config.Data);
        if (data.TrainTokens == 0) throw new UserInputException($"--data {data.Directory}: train.bin holds no tokens");
        var output = Path.GetFullPath(config.Output);
        var identity = config.Identity();
        using var run = TrainingRun.Open(output, RecordFile, data.ManifestSha256, $"--data {data.Directory}", identity, "training");
        using var model = CreateModel(config, data);
        var blockSize = config.BlockSize ?? model.Config.Context;
        if (data.TrainTokens <= blockSize)
            throw new UserInputException($"--data {data.Directory}: train.bin holds {data.TrainTokens} tokens, fewer than one block of {blockSize} + 1; use a smaller --block-size or more data");
        var (batchRows, microRows) = BatchShape(config, blockSize);
        var sampler = new BlockSampler(data, blockSize, config.Seed, batchRows, microRows, config.EvalBatches);
        var loop = new TrainingLoop(config, run, model, sampler, observer)
        {
            RowLength = blockSize,
            BatchDescription = $"{batchRows} rows × {blockSize} tokens per step ({batchRows / microRows} micro-batches of {microRows})",
            WriteRecord = state => run.WriteRecord(Record(state, data, model.Config), identity, data.ManifestSha256),
        };
        return loop.Run(cancellation);
    }

    /// <summary>Rows per optimiser step, and rows per forward/backward pass (a divisor of them).</summary>
    internal static (int BatchRows, int MicroRows) BatchShape(TrainingConfig config, int blockSize)
    {
        if (config.BatchTokens % blockSize != 0 || config.BatchTokens < blockSize)
            throw new UserInputException($"--batch-tokens {config.BatchTokens}: expected a multiple of the block size ({blockSize}), e.g. {Math.Max(1, config.BatchTokens / blockSize) * blockSize}");
        var rows = config.BatchTokens / blockSize;
        var micro = config.MicroBatchRows ?? Enumerable.Range(1, rows).Where(r => rows % r == 0 && r * blockSize <= DefaultMicroBatchTokens).DefaultIfEmpty(1).Max();
        if (rows % micro != 0) throw new UserInputException($"--micro-batch {micro}: expected a divisor of the {rows} rows of a batch (--batch-tokens / --block-size)");
        return (rows, micro);
    }

    /// <summary>The largest micro-batch picked by default, in tokens (see docs/training.md for the measurement).</summary>
    public const int DefaultMicroBatchTokens = 4096;

    /// <summary>train.json: the configuration, data, model, precision, progress and compute.</summary>
    private JsonObject Record(RecordState state, TokenData data, GptConfig model)
    {
        var record = new JsonObject
        {
            ["tool"] = "codexsharp train",
            ["version"] = ToolInfo.Version,
            ["status"] = state.Status,
            ["config"] = JsonSerializer.SerializeToNode(config),
            ["data"] = new JsonObject
            {
                ["directory"] = data.Directory, ["manifest_sha256"] = data.ManifestSha256, ["tokenizer"] = data.Tokenizer,
                ["train_tokens"] = data.TrainTokens, ["val_tokens"] = data.ValidationTokens,
            },
        };
        AddCommonRecord(record, state, model, config.BFloat16);
        return record;
    }

    /// <summary>The parts of a record train.json and finetune.json share: model, precision, machine, progress, compute.</summary>
    internal static void AddCommonRecord(JsonObject record, RecordState state, GptConfig model, bool requestedBf16)
    {
        var counters = state.Counters;
        // A frequent-token head's ids are the checkpoint's (config.json); the record names how many.
        var shape = JsonNode.Parse((model with { HeadTokens = null }).ToJson())!.AsObject();
        if (model.HeadTokens is { } ids) shape["head_tokens"] = $"{ids.Length} ids, listed in the checkpoint's config.json";
        record["model"] = shape;
        record["parameters"] = model.ParameterCount;
        record["precision"] = new JsonObject { ["requested_bf16"] = requestedBf16, ["used"] = state.Precision.Name, ["note"] = state.Precision.Note };
        record["machine"] = new JsonObject
        {
            ["threads"] = get_num_threads(), ["matmul_peak_gflops"] = Math.Round(state.PeakGflops, 1), ["matmul_peak_dtype"] = state.Precision.Type.ToString(),
        };
        record["progress"] = new JsonObject
        {
            ["step"] = counters.Step, ["tokens"] = counters.Tokens, ["training_seconds"] = Math.Round(counters.TrainingSeconds, 2),
        };
        record["compute"] = new JsonObject
        {
            ["flops_formula"] = "6N + 12·L·H·Q·T per token (PaLM)", ["flops_per_token"] = state.FlopsPerToken,
            ["flops"] = state.FlopsPerToken * counters.Tokens, ["cpu_seconds"] = Math.Round(counters.CpuSeconds, 2),
            ["cpu_hours"] = Math.Round(counters.CpuSeconds / 3600, 4),
        };
    }

    /// <summary>The --init model or a fresh preset, checked against the corpus and the flags.</summary>
    private static GptModel CreateModel(TrainingConfig config, TokenData data)
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
            var shape = config.Shape ?? GptPresets.ByName(config.Preset ?? "tiny");
            if (config.HeadTokens is { } count)
            {
                if (count >= shape.VocabSize)
                    throw new UserInputException($"--head-tokens {count}: expected fewer than the vocabulary's {shape.VocabSize} ids");
                shape = shape with { HeadTokens = data.MostFrequent(count) };
            }
            model = GptModel.CreateRandom(shape, config.Seed);
#pragma warning restore CA2000
        }
        try
        {
            var source = config.Init is null ? $"--preset {config.Preset ?? "tiny"}" : $"--init {config.Init}";
            if (model.Config.Tokenizer != data.Tokenizer)
                throw new UserInputException($"--data {data.Directory}: the corpus was tokenized with {data.Tokenizer}, but the model ({source}) uses {model.Config.Tokenizer}; rebuild the corpus or choose a model with {data.Tokenizer}");
            if (config.BlockSize is { } block && block > model.Config.Context)
                throw new UserInputException($"--block-size {block}: longer than the model's context ({model.Config.Context} tokens, {source})");
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
