using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Training.Finetuning;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp finetune</c>: supervised fine-tuning on problems (Codex-S: solutions; Codex-D: docstrings), resumably.</summary>
internal static class FinetuneCommand
{
    public static Command Create()
    {
        var defaults = new FinetuneConfig();
        var init = new Option<string>("--init") { Description = "The model to fine-tune: local:DIR (config.json + model.safetensors).", Required = true };
        var data = new Option<FileInfo>("--data") { Description = "Problems in the HumanEval layout (JSONL/.gz: task_id, prompt, canonical_solution, test, entry_point), e.g. from `corpus functions`.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder: the best model (local:DIR), metrics.jsonl, finetune.json, loss.svg. Run again to continue.", Required = true };
        var task = new Option<string>("--task") { Description = "solve (Codex-S: loss on the solution) or docstring (Codex-D: loss on the docstring).", DefaultValueFactory = _ => defaults.Task };
        task.AcceptOnlyFromAmong(FinetuneConfig.Solve, FinetuneConfig.Docstring);
        var maxSteps = new Option<int>("--max-steps") { Description = "Optimiser steps; the learning rate decays over exactly these.", DefaultValueFactory = _ => defaults.MaxSteps };
        var maxMinutes = new Option<double?>("--max-minutes") { Description = "Stop with a checkpoint after this much training time (summed over resumed runs)." };
        var batchTokens = new Option<int>("--batch-tokens") { Description = "Tokens per optimiser step: whole examples until their tokens reach this.", DefaultValueFactory = _ => defaults.BatchTokens };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default: a tenth of the pretraining lr in --init's train.json; required when it has none)." };
        var seed = new Option<long>("--seed") { Description = "Seed of the validation split, the example order and dropout.", DefaultValueFactory = _ => 0 };
        var evalEvery = new Option<int>("--eval-every") { Description = "Steps between validation losses (also at step 0 and the last step).", DefaultValueFactory = _ => defaults.EvalEvery };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints (also at the end and on Ctrl-C).", DefaultValueFactory = _ => defaults.CheckpointEvery };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of the problems (by task id) held out for the validation loss.", DefaultValueFactory = _ => defaults.ValidationFraction };
        var patience = new Option<int>("--patience") { Description = "Evaluations without a lower validation loss before stopping; the best model is kept.", DefaultValueFactory = _ => defaults.Patience };
        var bf16 = new Option<bool>("--bf16") { Description = "bfloat16 compute with float32 master weights (where the CPU has avx512_bf16/AMX; float32 otherwise)." };
        var command = new Command("finetune", "Fine-tune a local model on problems (Codex-S --task solve, Codex-D --task docstring), keeping the best: writes a local:DIR model.")
        {
            init, data, output, task, maxSteps, maxMinutes, batchTokens, lr, seed, evalEvery, checkpointEvery, valFraction, patience, bf16,
        };
        command.SetAction((parse, ct) =>
        {
            var config = new FinetuneConfig
            {
                Init = parse.GetValue(init)!,
                Data = parse.GetValue(data)!.FullName,
                Output = parse.GetValue(output)!.FullName,
                Task = parse.GetValue(task)!,
                MaxSteps = parse.GetValue(maxSteps),
                MaxMinutes = parse.GetValue(maxMinutes),
                BatchTokens = parse.GetValue(batchTokens),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                EvalEvery = parse.GetValue(evalEvery),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                ValidationFraction = parse.GetValue(valFraction),
                Patience = parse.GetValue(patience),
                BFloat16 = parse.GetValue(bf16),
            };
            var view = new TrainingProgressView();
            var summary = new FineTuner(config, view).Run(ct);
            view.Finished(summary, config.Output);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
