using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Io;
using CodexSharp.Model;
using CodexSharp.Model.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>How a run ended.</summary>
public sealed record TrainingSummary(int Steps, long Tokens, double? LastTrainLoss, double? LastValidationLoss, string Status, TrainingTimes Times);

/// <summary>Seconds spent in each part of the steps this process ran.</summary>
public sealed record TrainingTimes(double Data, double Forward, double Backward, double Optimizer, double Evaluation, double Checkpoint);

/// <summary>
/// The training loop (nanoGPT-style): each step draws random windows of the token stream, accumulates gradients
/// over micro-batches to the token batch, clips the global norm, and takes one AdamW step on the warm-up + cosine
/// schedule. Evaluates, checkpoints and appends to metrics.jsonl as it goes; a re-run continues exactly.
/// </summary>
public sealed class Trainer
{
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
        using var run = TrainingRun.Open(config, data, output);
        using var model = run.Model;
        var modelConfig = model.Config;
        var blockSize = config.BlockSize ?? modelConfig.Context;
        if (data.TrainTokens <= blockSize)
            throw new UserInputException($"--data {data.Directory}: train.bin holds {data.TrainTokens} tokens, fewer than one block of {blockSize} + 1; use a smaller --block-size or more data");
        var (batchRows, microRows) = BatchShape(config, blockSize);
        var precision = Precision.Resolve(config.BFloat16, config.ForceBFloat16);
        var peak = MatmulPeak.Measure(precision.Type, quick: true);
        var flopsPerToken = ModelFlops.PerToken(modelConfig, blockSize);
        var validate = data.ValidationTokens > blockSize;

        using var optimizer = new AdamOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), config.Beta1, config.Beta2, config.Epsilon, config.WeightDecay);
        var counters = TrainingCheckpoint.Exists(output)
            ? TrainingCheckpoint.Load(output, model, optimizer)
            : new TrainingCheckpoint.Counters(0, 0, 0, 0);
        run.StartJournal(counters.Step);
        using var compute = precision.Type == ScalarType.BFloat16 ? CopyToBFloat16(model) : null;
        var net = compute ?? model;
        model.train();
        net.train();
        var sampler = new BlockSampler(data, blockSize, config.Seed);
        run.WriteRecord(counters, precision, peak, flopsPerToken, "running");
        observer.Started(new TrainingPlan(counters.Step, config.MaxSteps, modelConfig.ParameterCount, blockSize, batchRows, microRows,
            precision.Name, peak, precision.Note));

        var times = new double[6];
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - counters.CpuSeconds;
        var trainingSeconds = counters.TrainingSeconds;
        var (step, tokens) = (counters.Step, counters.Tokens);
        double? lastLoss = null, lastValidation = null;
        var status = "complete";
        var checkpointed = step;
        var runClock = Stopwatch.StartNew();
        var stepsThisRun = 0;
        TrainingCheckpoint.Counters Current() => new(step, tokens, trainingSeconds, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuAtStart);
        void Checkpoint()
        {
            var clock = Stopwatch.StartNew();
            TrainingCheckpoint.Save(output, model, optimizer, Current());
            checkpointed = step;
            run.WriteRecord(Current(), precision, peak, flopsPerToken, status);
            times[5] += clock.Elapsed.TotalSeconds;
            observer.Checkpointed(step, output);
        }

        while (step < config.MaxSteps)
        {
            if (config.MaxMinutes is { } minutes && trainingSeconds >= minutes * 60)
            {
                status = "time limit";
                break;
            }
            var stepClock = Stopwatch.StartNew();
            var next = step + 1;
            var lr = LearningRateSchedule.At(next, config.MaxSteps, config.ResolvedWarmupSteps, config.LearningRate, config.MinLearningRateFraction);
            var (loss, norm, cancelled) = TrainStep(next, sampler, model, compute, optimizer, lr, batchRows, microRows, times, cancellation);
            if (cancelled)
            {
                status = "interrupted";
                break;
            }
            step = next;
            stepsThisRun++;
            tokens += (long)batchRows * blockSize;
            var seconds = stepClock.Elapsed.TotalSeconds;
            trainingSeconds += seconds;
            lastLoss = loss;
            var rate = batchRows * blockSize / seconds;
            var mfu = flopsPerToken * rate / (peak * 1e9);
            var remaining = TimeSpan.FromSeconds(runClock.Elapsed.TotalSeconds / stepsThisRun * (config.MaxSteps - step));
            var report = new StepReport(step, tokens, lr, loss, norm, rate, mfu, runClock.Elapsed, remaining);
            run.AppendStep(report);
            observer.Stepped(report);

            var last = step == config.MaxSteps;
            if (validate && (step % config.EvalEvery == 0 || last))
            {
                var clock = Stopwatch.StartNew();
                lastValidation = Evaluate(net, sampler, microRows);
                times[4] += clock.Elapsed.TotalSeconds;
                run.AppendValidation(step, tokens, lastValidation.Value);
                observer.Evaluated(step, lastValidation.Value);
            }
            if (step % config.CheckpointEvery == 0 && !last) Checkpoint();
            if (cancellation.IsCancellationRequested)
            {
                status = "interrupted";
                break;
            }
        }
        if (step != checkpointed) Checkpoint();
        else run.WriteRecord(Current(), precision, peak, flopsPerToken, status);
        run.FinishJournal();
        var summary = new TrainingSummary(step, tokens, lastLoss, lastValidation, status,
            new TrainingTimes(times[0], times[1], times[2], times[3], times[4], times[5]));
        if (status == "interrupted") throw new OperationCanceledException($"training interrupted at step {step}; checkpoint written");
        return summary;
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

    private (double Loss, double Norm, bool Cancelled) TrainStep(int step, BlockSampler sampler, GptModel master, GptModel? compute,
        AdamOptimizer optimizer, double lr, int batchRows, int microRows, double[] times, CancellationToken cancellation)
    {
        var net = compute ?? master;
        if (net.Config.Dropout > 0) random.manual_seed((long)(BlockSampler.Mix((ulong)config.Seed, (ulong)step, 0xD0) >> 1));
        var micros = batchRows / microRows;
        var clock = Stopwatch.StartNew();
        var batches = Enumerable.Range(0, micros).Select(i => sampler.Train(step, i, microRows)).ToList();
        try
        {
            var counted = batches.Sum(b => b.CountedTokens);
            times[0] += clock.Elapsed.TotalSeconds;
            double loss = 0;
            foreach (var batch in batches)
            {
                // Ctrl-C between micro-batches drops the unfinished step; the re-run redoes it from the checkpoint.
                if (cancellation.IsCancellationRequested)
                {
                    ZeroGradients(master, compute);
                    return (double.NaN, double.NaN, true);
                }
                using var scope = NewDisposeScope();
                clock.Restart();
                var microLoss = Loss(net, batch, counted);
                times[1] += clock.Elapsed.TotalSeconds;
                clock.Restart();
                microLoss.backward();
                loss += microLoss.item<float>();
                if (compute is not null) AccumulateInto(master, compute);
                times[2] += clock.Elapsed.TotalSeconds;
            }
            clock.Restart();
            var norm = config.GradientClip > 0
                ? nn.utils.clip_grad_norm_(master.parameters(), config.GradientClip)
                : double.NaN;
            optimizer.Step(lr);
            ZeroGradients(master, compute);
            if (compute is not null) CopyWeights(master, compute);
            times[3] += clock.Elapsed.TotalSeconds;
            return (loss, norm, false);
        }
        finally
        {
            foreach (var batch in batches) batch.Dispose();
        }
    }

    /// <summary>
    /// The batch's share of the step's mean loss: Σ mask·CE / <paramref name="countedTokens"/> (all micro-batches of
    /// the step together), so accumulated gradients equal those of one pass over the whole batch.
    /// </summary>
    internal static Tensor Loss(GptModel model, TrainingBatch batch, double countedTokens)
    {
        using var logits = model.Forward(batch.Inputs); // (B, T, V) float32
        using var flat = logits.view(-1, logits.shape[2]); // (B·T, V)
        using var targets = batch.Targets.view(-1); // (B·T)
        if (batch.LossMask is null)
        {
            using var mean = nn.functional.cross_entropy(flat, targets);
            return mean.mul(batch.Rows * batch.Length / countedTokens);
        }
        using var each = nn.functional.cross_entropy(flat, targets, reduction: nn.Reduction.None); // (B·T)
        using var mask = batch.LossMask.view(-1);
        using var weighted = each.mul(mask);
        using var sum = weighted.sum();
        return sum.div(countedTokens);
    }

    /// <summary>Mean loss over the fixed validation windows.</summary>
    private double Evaluate(GptModel net, BlockSampler sampler, int microRows)
    {
        net.eval();
        try
        {
            using var noGrad = no_grad();
            double total = 0;
            for (var i = 0; i < config.EvalBatches; i++)
            {
                using var scope = NewDisposeScope();
                using var batch = sampler.Validation(i, config.EvalBatches, microRows);
                using var loss = Loss(net, batch, batch.CountedTokens);
                total += loss.item<float>();
            }
            return total / config.EvalBatches;
        }
        finally
        {
            net.train();
        }
    }

    private static GptModel CopyToBFloat16(GptModel master)
    {
#pragma warning disable CA2000 // returned to the caller, or disposed on failure
        var copy = new GptModel(master.Config);
#pragma warning restore CA2000
        try
        {
            CopyWeights(master, copy);
            return copy.ToBFloat16();
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    private static void CopyWeights(GptModel from, GptModel to)
    {
        using var noGrad = no_grad();
        foreach (var ((_, source), (_, target)) in from.named_parameters().Zip(to.named_parameters())) target.copy_(source);
    }

    /// <summary>Adds the bfloat16 model's gradients into the float32 master's (accumulating in float32) and clears them.</summary>
    private static void AccumulateInto(GptModel master, GptModel compute)
    {
        using var noGrad = no_grad();
        foreach (var ((_, target), (_, source)) in master.named_parameters().Zip(compute.named_parameters()))
        {
            if (source.grad is null) continue;
            if (target.grad is null)
            {
                using var initial = source.grad.to(ScalarType.Float32);
                target.grad = initial.clone();
            }
            else
            {
                target.grad.add_(source.grad);
            }
            source.grad.zero_();
        }
    }

    private static void ZeroGradients(GptModel master, GptModel? compute)
    {
        master.zero_grad();
        compute?.zero_grad();
    }
}
