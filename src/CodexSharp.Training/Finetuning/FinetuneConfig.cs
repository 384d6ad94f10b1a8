using System.Text.Json.Serialization;
using CodexSharp.Core;
using CodexSharp.Training.Training;

namespace CodexSharp.Training.Finetuning;

/// <summary>
/// Everything that decides a fine-tuning run's result (the paper's §4.4 Codex-S and §5 Codex-D recipes): the
/// model to start from, the problems, the task, and the loop's settings. Written to <c>finetune.json</c>; a re-run
/// into the same output continues only when <see cref="Identity"/> agrees. The optimiser and schedule are
/// <c>train</c>'s (<see cref="TrainingConfig"/>); the learning rate defaults to a tenth of the pretraining run's.
/// </summary>
public sealed record FinetuneConfig
{
    public const string Solve = "solve";
    public const string Docstring = "docstring";

    /// <summary>The model to fine-tune: <c>local:DIR</c> (config.json + model.safetensors).</summary>
    [JsonPropertyName("init")] public string Init { get; init; } = "";

    /// <summary>Problems in the HumanEval layout (JSONL, optionally .gz), e.g. from <c>corpus functions</c>.</summary>
    [JsonPropertyName("data")] public string Data { get; init; } = "";

    /// <summary>The output folder: the best model (local:DIR), the resumable state, metrics.jsonl, finetune.json.</summary>
    [JsonPropertyName("out")] public string Output { get; init; } = "";

    /// <summary><c>solve</c> (Codex-S: loss on the solution) or <c>docstring</c> (Codex-D: loss on the docstring).</summary>
    [JsonPropertyName("task")] public string Task { get; init; } = Solve;

    /// <summary>Optimiser steps; the schedule decays over exactly these (early stopping may end the run before).</summary>
    [JsonPropertyName("max_steps")] public int MaxSteps { get; init; } = 1000;

    /// <summary>Stop (with a checkpoint) after this much training time, summed over resumed runs; null = no limit.</summary>
    [JsonPropertyName("max_minutes")] public double? MaxMinutes { get; init; }

    /// <summary>Tokens per optimiser step: whole examples are taken until their tokens reach this (at least one).</summary>
    [JsonPropertyName("batch_tokens")] public int BatchTokens { get; init; } = 8192;

    /// <summary>Peak learning rate; null = a tenth of the pretraining run's (read from the --init folder's train.json).</summary>
    [JsonPropertyName("lr")] public double? LearningRate { get; init; }

    /// <summary>Seeds the train/validation split, the example order and dropout.</summary>
    [JsonPropertyName("seed")] public long Seed { get; init; }

    /// <summary>The share of problems (split by task id) held out for the validation loss.</summary>
    [JsonPropertyName("val_fraction")] public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Evaluations in a row without a lower validation loss before the run stops.</summary>
    [JsonPropertyName("patience")] public int Patience { get; init; } = 3;

    /// <summary>Measure the validation loss every this many steps (and at step 0 and the last step).</summary>
    [JsonPropertyName("eval_every")] public int EvalEvery { get; init; } = 50;

    /// <summary>Write a resumable checkpoint every this many steps (and at the end and on Ctrl-C); it holds the best weights too.</summary>
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = 50;

    /// <summary>bfloat16 compute with float32 master weights, where the CPU has AVX-512 BF16 or AMX.</summary>
    [JsonPropertyName("bf16")] public bool BFloat16 { get; init; }

    /// <summary>The loop's settings: <c>train</c>'s optimiser, schedule and clipping with this run's values.</summary>
    public TrainingConfig Loop(double learningRate) => new TrainingConfig
    {
        Data = Data, Output = Output, Init = Init, MaxSteps = MaxSteps, MaxMinutes = MaxMinutes, BatchTokens = BatchTokens,
        LearningRate = learningRate, Seed = Seed, EvalEvery = EvalEvery, CheckpointEvery = CheckpointEvery, BFloat16 = BFloat16,
    }.Validate();

    /// <summary>
    /// The settings a resumed run must share with the run that wrote the output (the data is compared by hash).
    /// Evaluation interval and patience decide which model is kept, so they count; time limit and checkpoint
    /// interval may change.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Identity(double learningRate)
    {
        var loop = Loop(learningRate).Identity().Where(p => p.Name is not ("--preset" or "--micro-batch" or "--block-size" or "--init"));
        return
        [
            ("--init", Init), ("--task", Task), .. loop, ("--val-fraction", $"{ValidationFraction:R}"), ("--patience", $"{Patience}"),
            ("--eval-every", $"{EvalEvery}"),
        ];
    }

    /// <summary>Checks every field a flag sets; throws <see cref="UserInputException"/> naming the flag.</summary>
    public FinetuneConfig Validate()
    {
        void Require(bool ok, string flag, string expected)
        {
            if (!ok) throw new UserInputException($"{flag}: {expected}");
        }
        Require(Init.Length > 0, "--init", "expected local:DIR, the model to fine-tune");
        Require(Data.Length > 0, "--data", "expected a problems file (JSONL)");
        Require(Output.Length > 0, "--out", "expected an output folder");
        Require(Task is Solve or Docstring, "--task", $"expected {Solve} or {Docstring}, got '{Task}'");
        Require(ValidationFraction is >= 0 and < 1, "--val-fraction", $"expected 0 <= fraction < 1, got {ValidationFraction}");
        Require(Patience >= 1, "--patience", $"expected at least 1 evaluation, got {Patience}");
        Require(LearningRate is null or > 0 && (LearningRate is null || double.IsFinite(LearningRate.Value)), "--lr", $"expected a positive number, got {LearningRate}");
        Loop(LearningRate ?? 1e-4);
        return this;
    }
}
