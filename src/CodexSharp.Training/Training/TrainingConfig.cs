using System.Text.Json.Serialization;
using CodexSharp.Core;

namespace CodexSharp.Training.Training;

/// <summary>
/// Everything that decides a training run's result: data, model, optimiser, schedule and batch. Written to
/// <c>train.json</c>; a re-run into the same output continues only when the fields in <see cref="Identity"/> agree.
/// Defaults follow the Codex paper (Adam β1 0.9, β2 0.95, ε 1e-8, weight decay 0.1, 175 warm-up steps, cosine
/// decay, gradient clipping 1.0) scaled to a CPU.
/// </summary>
public sealed record TrainingConfig
{
    /// <summary>The token corpus folder (train.bin, val.bin, corpus.json).</summary>
    [JsonPropertyName("data")] public string Data { get; init; } = "";

    /// <summary>The output folder: checkpoint, metrics.jsonl, train.json, loss curve.</summary>
    [JsonPropertyName("out")] public string Output { get; init; } = "";

    /// <summary>Start from this model (<c>local:DIR</c> or <c>hf:DIR</c>) instead of a random one.</summary>
    [JsonPropertyName("init")] public string? Init { get; init; }

    /// <summary>The model shape of a fresh model (see GptPresets; null = tiny); with <see cref="Init"/> it must match the init's shape.</summary>
    [JsonPropertyName("preset")] public string? Preset { get; init; }

    /// <summary>A fresh model's head scores this many of the corpus's most frequent ids one by one (see GptConfig.HeadTokens); null = every id.</summary>
    [JsonPropertyName("head_tokens")] public int? HeadTokens { get; init; }

    /// <summary>Optimiser steps; the schedule decays over exactly this many.</summary>
    [JsonPropertyName("max_steps")] public int MaxSteps { get; init; } = 2000;

    /// <summary>Stop (with a checkpoint) after this much training time, summed over resumed runs; null = no limit.</summary>
    [JsonPropertyName("max_minutes")] public double? MaxMinutes { get; init; }

    /// <summary>Tokens per optimiser step (rows × block size), reached by gradient accumulation.</summary>
    [JsonPropertyName("batch_tokens")] public int BatchTokens { get; init; } = 16384;

    /// <summary>Rows of one forward/backward pass; null picks the largest that divides the batch and stays within 8,192 tokens.</summary>
    [JsonPropertyName("micro_batch_rows")] public int? MicroBatchRows { get; init; }

    /// <summary>Tokens per row; null means the model's context.</summary>
    [JsonPropertyName("block_size")] public int? BlockSize { get; init; }

    /// <summary>Peak learning rate (after warm-up).</summary>
    [JsonPropertyName("lr")] public double LearningRate { get; init; } = 6e-4;

    /// <summary>The schedule ends at this fraction of <see cref="LearningRate"/>.</summary>
    [JsonPropertyName("min_lr_fraction")] public double MinLearningRateFraction { get; init; } = 0.1;

    /// <summary>Warm-up steps; null means min(175, max(1, 2% of <see cref="MaxSteps"/>)).</summary>
    [JsonPropertyName("warmup_steps")] public int? WarmupSteps { get; init; }

    [JsonPropertyName("beta1")] public double Beta1 { get; init; } = 0.9;

    [JsonPropertyName("beta2")] public double Beta2 { get; init; } = 0.95;

    [JsonPropertyName("eps")] public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay on weight matrices only (not biases, LayerNorms or embeddings).</summary>
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; } = 0.1;

    /// <summary>The global gradient norm is clipped to this (0 = no clipping).</summary>
    [JsonPropertyName("grad_clip")] public double GradientClip { get; init; } = 1.0;

    /// <summary>Seeds the initialisation, the data sampler and dropout.</summary>
    [JsonPropertyName("seed")] public long Seed { get; init; }

    /// <summary>bfloat16 compute with float32 master weights, where the CPU has AVX-512 BF16 or AMX.</summary>
    [JsonPropertyName("bf16")] public bool BFloat16 { get; init; }

    /// <summary>Compute in bfloat16 even where the CPU has no native bfloat16 (tests of the mixed-precision path; slow there).</summary>
    [JsonIgnore] internal bool ForceBFloat16 { get; init; }

    /// <summary>A model shape instead of a preset (tests use a small vocabulary).</summary>
    [JsonIgnore] internal CodexSharp.Model.Modeling.GptConfig? Shape { get; init; }

    /// <summary>Write a resumable checkpoint every this many steps (and at the end and on Ctrl-C).</summary>
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = 100;

    /// <summary>Measure the validation loss every this many steps (and at the end).</summary>
    [JsonPropertyName("eval_every")] public int EvalEvery { get; init; } = 100;

    /// <summary>Micro-batches of val.bin per evaluation (the same blocks every time).</summary>
    [JsonPropertyName("eval_batches")] public int EvalBatches { get; init; } = 8;

    /// <summary>Warm-up length actually used (see <see cref="WarmupSteps"/>).</summary>
    [JsonIgnore] public int ResolvedWarmupSteps => WarmupSteps ?? Math.Clamp((int)Math.Round(0.02 * MaxSteps), 1, 175);

    /// <summary>
    /// The settings a resumed run must share with the run that wrote the output (name → value); the data and the
    /// starting model are compared by hash elsewhere. Time limits, checkpoint and evaluation intervals may change.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Identity() =>
    [
        ("--init", Init ?? "(none)"), ("--preset", Preset ?? (Init is null ? "tiny" : "(from --init)")),
        ("--head-tokens", HeadTokens?.ToString() ?? (Init is null ? "all" : "(from --init)")), ("--max-steps", $"{MaxSteps}"),
        ("--batch-tokens", $"{BatchTokens}"), ("--micro-batch", $"{MicroBatchRows?.ToString() ?? "auto"}"),
        ("--block-size", $"{BlockSize?.ToString() ?? "context"}"), ("--lr", $"{LearningRate:R}"), ("--seed", $"{Seed}"),
        ("--bf16", $"{BFloat16}"), ("min_lr_fraction", $"{MinLearningRateFraction:R}"), ("warmup_steps", $"{ResolvedWarmupSteps}"),
        ("beta1", $"{Beta1:R}"), ("beta2", $"{Beta2:R}"), ("eps", $"{Epsilon:R}"), ("weight_decay", $"{WeightDecay:R}"),
        ("grad_clip", $"{GradientClip:R}"),
    ];

    /// <summary>Checks every field a flag sets; throws <see cref="UserInputException"/> naming the flag.</summary>
    public TrainingConfig Validate()
    {
        void Require(bool ok, string flag, string expected)
        {
            if (!ok) throw new UserInputException($"{flag}: {expected}");
        }
        Require(Data.Length > 0, "--data", "expected a corpus folder");
        Require(Output.Length > 0, "--out", "expected an output folder");
        Require(HeadTokens is null or >= 1, "--head-tokens", $"expected at least 1, got {HeadTokens}");
        Require(HeadTokens is null || Init is null, "--head-tokens", "applies to a fresh model only; an --init model keeps its own head");
        Require(MaxSteps >= 1, "--max-steps", $"expected at least 1, got {MaxSteps}");
        Require(MaxMinutes is null or > 0, "--max-minutes", $"expected a positive number, got {MaxMinutes}");
        Require(BatchTokens >= 1, "--batch-tokens", $"expected at least 1, got {BatchTokens}");
        Require(MicroBatchRows is null or >= 1, "--micro-batch", $"expected at least 1 row, got {MicroBatchRows}");
        Require(BlockSize is null or >= 2, "--block-size", $"expected at least 2 tokens, got {BlockSize}");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "--lr", $"expected a positive number, got {LearningRate}");
        Require(MinLearningRateFraction is >= 0 and <= 1, "min_lr_fraction", "expected 0..1");
        Require(WarmupSteps is null or >= 0, "warmup_steps", "expected 0 or more");
        Require(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, "beta1/beta2", "expected 0 <= beta < 1");
        Require(Epsilon > 0 && WeightDecay >= 0 && GradientClip >= 0, "eps/weight_decay/grad_clip", "expected eps > 0, the others >= 0");
        Require(CheckpointEvery >= 1, "--checkpoint-every", $"expected at least 1, got {CheckpointEvery}");
        Require(EvalEvery >= 1, "--eval-every", $"expected at least 1, got {EvalEvery}");
        Require(EvalBatches >= 1, "--eval-batches", $"expected at least 1, got {EvalBatches}");
        return this;
    }
}
