using System.Diagnostics;
using CodexSharp.Core;
using CodexSharp.Model.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>How a run ended.</summary>
public sealed record TrainingSummary(int Steps, long Tokens, double? LastTrainLoss, double? LastValidationLoss, string Status, TrainingTimes Times,
    int? BestStep = null, double? BestValidationLoss = null);

/// <summary>Seconds spent in each part of the steps this process ran.</summary>
public sealed record TrainingTimes(double Data, double Forward, double Backward, double Optimizer, double Evaluation, double Checkpoint);

/// <summary>Seconds spent in each phase of a run so far, added to as the loop goes.</summary>
internal sealed class PhaseSeconds
{
    public double Data, Forward, Backward, Optimizer, Evaluation, Checkpoint;

    public TrainingTimes Snapshot() => new(Data, Forward, Backward, Optimizer, Evaluation, Checkpoint);
}

/// <summary>What a run's record is written from, each time it is written.</summary>
internal sealed record RecordState(TrainingCheckpoint.Counters Counters, Precision Precision, double PeakGflops, double FlopsPerToken, string Status, BestModel? Best);

/// <summary>
/// The optimisation loop <c>train</c> and <c>finetune</c> share: each step takes its micro-batches from an
/// <see cref="IBatchSource"/>, accumulates gradients (Σ mask·CE / Σ mask over the whole step), clips the global norm,
/// and takes one AdamW step on the warm-up + cosine schedule. Evaluates, checkpoints and appends to metrics.jsonl
/// as it goes; a re-run continues exactly. With a <see cref="BestModel"/> it also keeps the weights of the best
/// validation loss (the loadable model), and stops after <c>patience</c> evaluations that do not beat it.
/// </summary>
internal sealed class TrainingLoop(TrainingConfig config, TrainingRun run, GptModel model, IBatchSource batches, ITrainingObserver observer)
{
    /// <summary>Evaluations without improvement before stopping; null = never stop early.</summary>
    public int? Patience { get; init; }

    /// <summary>Keep the best weights (fine-tuning); null = the loadable model is the latest weights.</summary>
    public BestModel? Best { get; init; }

    /// <summary>Measure the starting model's validation loss at step 0 (fine-tuning: the baseline to beat).</summary>
    public bool EvaluateAtStart { get; init; }

    /// <summary>Mean tokens per row, for the FLOPs per token (attention grows with it).</summary>
    public required int RowLength { get; init; }

    /// <summary>The share of tokens whose loss counts, where the output head runs (1 without a mask).</summary>
    public double HeadFraction { get; init; } = 1.0;

    /// <summary>How a step is made, for the progress display.</summary>
    public required string BatchDescription { get; init; }

    /// <summary>Writes the run's record (train.json, finetune.json).</summary>
    public required Action<RecordState> WriteRecord { get; init; }

    /// <summary>Runs until max steps, early stopping, the time limit or <paramref name="cancellation"/> (then checkpoints and throws OperationCanceledException).</summary>
    public TrainingSummary Run(CancellationToken cancellation)
    {
        var modelConfig = model.Config;
        var precision = Precision.Resolve(config.BFloat16, config.ForceBFloat16);
        var peak = MatmulPeak.Measure(precision.Type, quick: true);
        var flopsPerToken = ModelFlops.PerToken(modelConfig, RowLength, HeadFraction);
        var validate = batches.ValidationBatches > 0;
        var output = run.Directory;

        using var optimizer = new AdamOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), config.Beta1, config.Beta2, config.Epsilon, config.WeightDecay);
        var resumed = TrainingCheckpoint.Exists(output);
        var counters = resumed
            ? TrainingCheckpoint.Load(output, model, optimizer, Best)
            : new TrainingCheckpoint.Counters(0, 0, 0, 0);
        run.StartJournal(resumed ? counters.Step : -1);
        using var compute = precision.Type == ScalarType.BFloat16 ? CopyToBFloat16(model) : null;
        var net = compute ?? model;
        model.train();
        net.train();
        var status = RunStatus.Completed;
        WriteRecord(new RecordState(counters, precision, peak, flopsPerToken, "running", Best));
        observer.Started(new TrainingPlan(counters.Step, config.MaxSteps, modelConfig.ParameterCount, BatchDescription, precision.Name, peak, precision.Note));

        var times = new PhaseSeconds();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - counters.CpuSeconds;
        var trainingSeconds = counters.TrainingSeconds;
        var (step, tokens) = (counters.Step, counters.Tokens);
        double? lastLoss = null, lastValidation = null;
        var checkpointed = step;
        var finished = false;
        var runClock = Stopwatch.StartNew();
        var stepsThisRun = 0;
        TrainingCheckpoint.Counters Current() => new(step, tokens, trainingSeconds, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuAtStart);
        void Checkpoint()
        {
            var clock = Stopwatch.StartNew();
            TrainingCheckpoint.Save(output, model, optimizer, Current(), Best);
            checkpointed = step;
            WriteRecord(new RecordState(Current(), precision, peak, flopsPerToken, finished ? status : "running", Best));
            times.Checkpoint += clock.Elapsed.TotalSeconds;
            observer.Checkpointed(step, output);
        }
        bool Evaluated()
        {
            var clock = Stopwatch.StartNew();
            lastValidation = Evaluate(net);
            times.Evaluation += clock.Elapsed.TotalSeconds;
            run.AppendValidation(step, tokens, lastValidation.Value);
            observer.Evaluated(step, lastValidation.Value);
            Best?.Offer(step, lastValidation.Value, model);
            return Patience is { } patience && Best is { } best && best.Stale >= patience;
        }

        var stopped = Patience is { } limit && Best is { } restored && restored.Stale >= limit;
        if (stopped) status = "early stop";
        if (!resumed && validate && EvaluateAtStart) Evaluated();
        while (!stopped && step < config.MaxSteps)
        {
            if (config.MaxMinutes is { } minutes && trainingSeconds >= minutes * 60)
            {
                status = "time limit";
                break;
            }
            var stepClock = Stopwatch.StartNew();
            var next = step + 1;
            var lr = LearningRateSchedule.At(next, config.MaxSteps, config.ResolvedWarmupSteps, config.LearningRate, config.MinLearningRateFraction);
            var (loss, norm, stepTokens, cancelled) = TrainStep(next, model, compute, optimizer, lr, times, cancellation);
            if (cancelled)
            {
                status = "interrupted";
                break;
            }
            step = next;
            stepsThisRun++;
            tokens += stepTokens;
            var seconds = stepClock.Elapsed.TotalSeconds;
            trainingSeconds += seconds;
            lastLoss = loss;
            var rate = stepTokens / seconds;
            var mfu = flopsPerToken * rate / (peak * 1e9);
            var remaining = TimeSpan.FromSeconds(runClock.Elapsed.TotalSeconds / stepsThisRun * (config.MaxSteps - step));
            var report = new StepReport(step, tokens, lr, loss, norm, rate, mfu, runClock.Elapsed, remaining);
            run.AppendStep(report);
            observer.Stepped(report);

            var last = step == config.MaxSteps;
            if (validate && (step % config.EvalEvery == 0 || last) && Evaluated())
            {
                status = "early stop";
                break;
            }
            if (step % config.CheckpointEvery == 0 && !last) Checkpoint();
            if (cancellation.IsCancellationRequested)
            {
                status = "interrupted";
                break;
            }
        }
        finished = true;
        if (step != checkpointed || (!resumed && step == 0)) Checkpoint();
        else WriteRecord(new RecordState(Current(), precision, peak, flopsPerToken, status, Best));
        run.FinishJournal();
        var summary = new TrainingSummary(step, tokens, lastLoss, lastValidation, status,
            times.Snapshot(), Best?.Step, Best is { Loss: var l } && double.IsFinite(l) ? l : null);
        if (status == "interrupted") throw new OperationCanceledException($"training interrupted at step {step}; checkpoint written");
        return summary;
    }

    private (double Loss, double Norm, long Tokens, bool Cancelled) TrainStep(int step, GptModel master, GptModel? compute,
        AdamOptimizer optimizer, double lr, PhaseSeconds times, CancellationToken cancellation)
    {
        var net = compute ?? master;
        if (net.Config.Dropout > 0) random.manual_seed((long)(BlockSampler.Mix((ulong)config.Seed, (ulong)step, 0xD0) >> 1));
        var clock = Stopwatch.StartNew();
        var micro = batches.Train(step);
        try
        {
            var counted = micro.Sum(b => b.CountedTokens);
            times.Data += clock.Elapsed.TotalSeconds;
            double loss = 0;
            foreach (var batch in micro)
            {
                // Ctrl-C between micro-batches drops the unfinished step; the re-run redoes it from the checkpoint.
                if (cancellation.IsCancellationRequested)
                {
                    ZeroGradients(master, compute);
                    return (double.NaN, double.NaN, 0, true);
                }
                using var scope = NewDisposeScope();
                clock.Restart();
                var microLoss = Loss(net, batch, counted);
                times.Forward += clock.Elapsed.TotalSeconds;
                clock.Restart();
                microLoss.backward();
                loss += microLoss.item<float>();
                if (compute is not null) AccumulateInto(master, compute);
                times.Backward += clock.Elapsed.TotalSeconds;
            }
            clock.Restart();
            var norm = config.GradientClip > 0
                ? nn.utils.clip_grad_norm_(master.parameters(), config.GradientClip)
                : double.NaN;
            optimizer.Step(lr);
            ZeroGradients(master, compute);
            if (compute is not null) CopyWeights(master, compute);
            times.Optimizer += clock.Elapsed.TotalSeconds;
            return (loss, norm, micro.Sum(b => b.Tokens), false);
        }
        finally
        {
            foreach (var batch in micro) batch.Dispose();
        }
    }

    /// <summary>
    /// The batch's share of the step's mean loss: Σ mask·CE / <paramref name="countedTokens"/> (all micro-batches of
    /// the step together), so accumulated gradients equal those of one pass over the whole batch.
    /// </summary>
    internal static Tensor Loss(GptModel model, TrainingBatch batch, double countedTokens)
    {
        using var allTargets = batch.Targets.view(-1); // (B·T)
        if (batch.LossMask is null)
        {
            using var every = model.TokenLoss(batch.Inputs, batch.Positions, batch.AttentionMask, allTargets); // (B·T)
            using var mean = every.mean();
            return mean.mul(batch.Rows * batch.Length / countedTokens);
        }
        // The head runs only where the loss counts: with prompts masked that is a small part of each row.
        using var weights = batch.LossMask.view(-1); // (B·T)
        using var nonzero = weights.nonzero(); // (N, 1)
        using var counted = nonzero.view(-1); // (N)
        using var pickedTargets = allTargets.index_select(0, counted); // (N)
        using var pickedWeights = weights.index_select(0, counted); // (N)
        using var each = model.TokenLoss(batch.Inputs, batch.Positions, batch.AttentionMask, pickedTargets, only: counted); // (N)
        using var weighted = each.mul(pickedWeights);
        using var sum = weighted.sum();
        return sum.div(countedTokens);
    }

    /// <summary>Loss over the validation micro-batches: Σ mask·CE / Σ mask, the same batches every time.</summary>
    private double Evaluate(GptModel net)
    {
        net.eval();
        try
        {
            using var noGrad = no_grad();
            double total = 0, counted = 0;
            for (var i = 0; i < batches.ValidationBatches; i++)
            {
                using var scope = NewDisposeScope();
                using var batch = batches.Validation(i);
                using var loss = Loss(net, batch, 1.0);
                total += loss.item<float>();
                counted += batch.CountedTokens;
            }
            return total / counted;
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
