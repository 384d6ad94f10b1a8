using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Model.Modeling;
using CodexSharp.Training.Training;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp train</c>: pretrain (or continue training) our GPT on a token corpus, resumably.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainingConfig();
        var data = new Option<DirectoryInfo>("--data") { Description = "Corpus folder made by `corpus build` (train.bin, val.bin, corpus.json).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder: checkpoint (local:DIR), metrics.jsonl, train.json, loss.svg. Run again to continue.", Required = true };
        var init = new Option<string?>("--init") { Description = "Start from local:DIR (our checkpoint) or hf:DIR (a GPT-2-family folder) instead of random weights." };
        var preset = new Option<string?>("--preset") { Description = $"Shape of a fresh model: {string.Join(", ", GptPresets.Names)} (default tiny); with --init it must match." };
        var headTokens = new Option<int?>("--head-tokens") { Description = "A fresh model's output head scores the N most frequent ids of the corpus one by one and the rest as one shared bucket (default: every id)." };
        var maxSteps = new Option<int>("--max-steps") { Description = "Optimiser steps; the learning rate decays over exactly these.", DefaultValueFactory = _ => defaults.MaxSteps };
        var maxMinutes = new Option<double?>("--max-minutes") { Description = "Stop with a checkpoint after this much training time (summed over resumed runs)." };
        var batchTokens = new Option<int>("--batch-tokens") { Description = "Tokens per optimiser step (a multiple of the block size), by gradient accumulation.", DefaultValueFactory = _ => defaults.BatchTokens };
        var microBatch = new Option<int?>("--micro-batch") { Description = $"Rows per forward/backward pass (default: the most that fit {Trainer.DefaultMicroBatchTokens} tokens)." };
        var blockSize = new Option<int?>("--block-size") { Description = "Tokens per row (default: the model's context)." };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (after warm-up; cosine decay to 10%).", DefaultValueFactory = _ => defaults.LearningRate };
        var seed = new Option<long>("--seed") { Description = "Seed of the initialisation, the data order and dropout.", DefaultValueFactory = _ => 0 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints (also written at the end and on Ctrl-C).", DefaultValueFactory = _ => defaults.CheckpointEvery };
        var evalEvery = new Option<int>("--eval-every") { Description = "Steps between validation-loss measurements.", DefaultValueFactory = _ => defaults.EvalEvery };
        var evalBatches = new Option<int>("--eval-batches") { Description = "Micro-batches of val.bin per evaluation.", DefaultValueFactory = _ => defaults.EvalBatches };
        var bf16 = new Option<bool>("--bf16") { Description = "bfloat16 compute with float32 master weights (where the CPU has avx512_bf16/AMX; float32 otherwise)." };
        var command = new Command("train", "Train a GPT on a token corpus (AdamW, warm-up + cosine, resumable): writes a local:DIR checkpoint.")
        {
            data, output, init, preset, headTokens, maxSteps, maxMinutes, batchTokens, microBatch, blockSize, lr, seed, checkpointEvery, evalEvery, evalBatches, bf16,
        };
        command.SetAction((parse, ct) =>
        {
            var config = new TrainingConfig
            {
                Data = parse.GetValue(data)!.FullName,
                Output = parse.GetValue(output)!.FullName,
                Init = parse.GetValue(init),
                Preset = parse.GetValue(preset),
                HeadTokens = parse.GetValue(headTokens),
                MaxSteps = parse.GetValue(maxSteps),
                MaxMinutes = parse.GetValue(maxMinutes),
                BatchTokens = parse.GetValue(batchTokens),
                MicroBatchRows = parse.GetValue(microBatch),
                BlockSize = parse.GetValue(blockSize),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                EvalEvery = parse.GetValue(evalEvery),
                EvalBatches = parse.GetValue(evalBatches),
                BFloat16 = parse.GetValue(bf16),
            };
            var view = new TrainingProgressView();
            var summary = new Trainer(config, view).Run(ct);
            view.Finished(summary, config.Output);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
