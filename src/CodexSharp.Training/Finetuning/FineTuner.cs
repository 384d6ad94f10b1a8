using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Core.Io;
using CodexSharp.Model;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;
using CodexSharp.Training.Training;
using static TorchSharp.torch;

namespace CodexSharp.Training.Finetuning;

/// <summary>
/// Supervised fine-tuning (the paper's Codex-S and Codex-D): whole problems as examples, the loss on the solution
/// (or the docstring) only, through <c>train</c>'s loop, optimiser and checkpoints. Evaluates the held-out problems'
/// loss from step 0, keeps the best weights as the output model (its config.json records the task), stops after
/// <c>--patience</c> evaluations without improvement, and writes finetune.json. A re-run continues exactly.
/// </summary>
public sealed class FineTuner
{
    public const string RecordFile = "finetune.json";

    private readonly FinetuneConfig config;
    private readonly ITrainingObserver observer;

    public FineTuner(FinetuneConfig config, ITrainingObserver observer)
    {
        this.config = config.Validate();
        this.observer = observer;
    }

    /// <summary>Runs until max steps, early stopping, the time limit or <paramref name="cancellation"/> (then checkpoints and throws OperationCanceledException).</summary>
    public TrainingSummary Run(CancellationToken cancellation)
    {
        var (learningRate, lrSource) = ResolveLearningRate(config);
        var loopConfig = config.Loop(learningRate);
        // The data is checked before the weights are loaded: a mistake in it is reported without starting libtorch.
        var (folder, initConfig) = InitConfig(config.Init);
        var tokenizer = CodeTokenizer.ByName(initConfig.Tokenizer, folder);
        var examples = FinetuneExamples.Load(Path.GetFullPath(config.Data), config.Task, tokenizer, initConfig.Context, config.Seed, config.ValidationFraction);
        TorchRuntime.EnsureInitialized();
        using var model = WithTask(LoadInit(config.Init, folder), config.Task);
        var output = Path.GetFullPath(config.Output);
        var identity = config.Identity(learningRate);
        using var run = TrainingRun.Open(output, RecordFile, examples.Sha256, $"--data {config.Data}", identity, "finetune");
        var sampler = new ExampleSampler(examples.Train, examples.Validation, config.BatchTokens, Trainer.DefaultMicroBatchTokens, config.Seed, tokenizer.EndOfText);
        using var best = examples.Validation.Count > 0 ? new BestModel(model) : null;
        var loop = new TrainingLoop(loopConfig, run, model, sampler, observer)
        {
            Best = best,
            Patience = best is null ? null : config.Patience,
            EvaluateAtStart = true,
            RowLength = sampler.MeanLength,
            HeadFraction = examples.Train.Sum(e => (double)e.Target.Length) / examples.Train.Sum(e => (double)e.Length - 1),
            BatchDescription = $"whole examples up to {config.BatchTokens} tokens per step ({examples.Train.Count} training, {examples.Validation.Count} validation problems; task {config.Task})",
            WriteRecord = state => run.WriteRecord(Record(state, examples, model.Config, learningRate, lrSource, run), identity, examples.Sha256),
        };
        return loop.Run(cancellation);
    }

    /// <summary>The peak learning rate: --lr, or a tenth of the pretraining run's (train.json beside --init).</summary>
    internal static (double Rate, string Source) ResolveLearningRate(FinetuneConfig config)
    {
        if (config.LearningRate is { } lr) return (lr, "--lr");
        var folder = ModelFolder(config.Init);
        var record = Path.Combine(folder, Trainer.RecordFile);
        if (!File.Exists(record))
            throw new UserInputException($"--lr: required, because --init {config.Init} has no {Trainer.RecordFile} to take the pretraining learning rate from (fine-tuning uses a tenth of it); e.g. --lr 6e-5 for a model pretrained at 6e-4");
        try
        {
            var pretraining = JsonNode.Parse(File.ReadAllText(record))?["config"]?["lr"]?.GetValue<double>()
                ?? throw new UserInputException($"{record}: field 'config.lr': missing; pass --lr");
            return (pretraining / 10, $"{Trainer.RecordFile} of --init: {pretraining.ToString("R", CultureInfo.InvariantCulture)} / 10");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new UserInputException($"{record}: field 'config.lr': expected a number ({e.Message.TrimEnd('.')}); pass --lr");
        }
    }

    /// <summary>The folder of <c>local:DIR</c> or a shipped model's name (<c>default</c>), parsed as every <c>--model</c> is.</summary>
    private static string ModelFolder(string init)
    {
        ModelSpec? spec = null;
        try
        {
            spec = ModelSpec.Parse(init);
        }
        catch (ConfigException)
        {
        }
        if (spec is not { Kind: ModelSpecKind.Local })
            throw new UserInputException($"--init '{init}': expected local:DIR (a model folder, config.json + model.safetensors, written by model init, train or finetune) or default");
        return Path.GetFullPath(spec.Model);
    }

    /// <summary>The --init folder and its config.json, checked to be a model folder.</summary>
    private static (string Folder, GptConfig Config) InitConfig(string init)
    {
        var folder = ModelFolder(init);
        if (!Directory.Exists(folder)) throw new UserInputException($"--init {init}: no such folder");
        if (!File.Exists(Path.Combine(folder, LocalCheckpoint.ConfigFile)) || !File.Exists(Path.Combine(folder, LocalCheckpoint.WeightsFile)))
            throw new UserInputException($"--init {init}: not a model folder: expected {LocalCheckpoint.ConfigFile} and {LocalCheckpoint.WeightsFile} in {folder}");
        try
        {
            return (folder, GptConfig.FromJson(Path.Combine(folder, LocalCheckpoint.ConfigFile)));
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"--init {init}: {e.Message}");
        }
    }

    private static GptModel LoadInit(string init, string folder)
    {
        try
        {
            return LocalCheckpoint.Load(folder).Model;
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"--init {init}: {e.Message}");
        }
    }

    /// <summary>A copy of <paramref name="init"/> whose config records <paramref name="task"/> (disposes <paramref name="init"/>).</summary>
    private static GptModel WithTask(GptModel init, string task)
    {
        using (init)
        {
#pragma warning disable CA2000 // owned by the caller
            var model = new GptModel(init.Config with { Task = task });
#pragma warning restore CA2000
            using var noGrad = no_grad();
            foreach (var ((_, source), (_, target)) in init.named_parameters().Zip(model.named_parameters())) target.copy_(source);
            return model;
        }
    }

    /// <summary>finetune.json: configuration, data, examples, best step, validation losses, model, progress and compute.</summary>
    private JsonObject Record(RecordState state, FinetuneExamples examples, GptConfig model, double learningRate, string lrSource, TrainingRun run)
    {
        var configNode = JsonSerializer.SerializeToNode(config)!.AsObject();
        configNode["lr"] = learningRate;
        configNode["lr_source"] = lrSource;
        var trainTokens = examples.Train.Sum(e => (long)e.Length);
        var record = new JsonObject
        {
            ["tool"] = "codexsharp finetune",
            ["version"] = ToolInfo.Version,
            ["status"] = state.Status,
            ["config"] = configNode,
            ["data"] = new JsonObject
            {
                ["file"] = Path.GetFullPath(config.Data), ["sha256"] = examples.Sha256, ["task"] = config.Task, ["problems"] = examples.Total,
                ["train_examples"] = examples.Train.Count, ["val_examples"] = examples.Validation.Count,
                ["dropped_too_long"] = examples.DroppedTooLong, ["truncated_prompts"] = examples.TruncatedPrompts,
                ["train_tokens"] = trainTokens, ["train_target_tokens"] = examples.Train.Sum(e => (long)e.Target.Length),
                ["val_tokens"] = examples.Validation.Sum(e => (long)e.Length),
                ["layout"] = "one example per row, left-padded to the micro-batch's longest prompt (targets line up), padding hidden from attention",
            },
            ["best"] = state.Best is { } best && double.IsFinite(best.Loss)
                ? new JsonObject { ["step"] = best.Step, ["val_loss"] = best.Loss, ["stale_evaluations"] = best.Stale, ["patience"] = config.Patience }
                : null,
            ["val_losses"] = new JsonArray(run.ValidationLosses.Select(v => (JsonNode)new JsonObject { ["step"] = v.Step, ["val_loss"] = v.Loss }).ToArray()),
            // Tokens count inputs: all of an example's tokens but the last.
            ["epochs"] = Math.Round((double)state.Counters.Tokens / Math.Max(1, trainTokens - examples.Train.Count), 3),
        };
        Trainer.AddCommonRecord(record, state, model, config.BFloat16);
        return record;
    }
}
