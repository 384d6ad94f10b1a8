using CodexSharp.Model.Modeling;
using CodexSharp.Testing;
using CodexSharp.Training.Training;
using static TorchSharp.torch;

namespace CodexSharp.Training.Tests;

/// <summary>Records a run's steps (the tests compare losses).</summary>
internal sealed class RecordingObserver : ITrainingObserver
{
    public List<StepReport> Steps { get; } = [];

    public List<(int Step, double Loss)> Validations { get; } = [];

    public void Started(TrainingPlan plan) { }

    public void Stepped(StepReport step) => Steps.Add(step);

    public void Evaluated(int step, double validationLoss) => Validations.Add((step, validationLoss));

    public void Checkpointed(int step, string directory) { }
}

/// <summary>The training loop in process: the loss falls, bf16 tracks fp32, the schedule and weight decay are the paper's.</summary>
public sealed class TrainingLoopTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static GptConfig SmallVocabulary => new() { Layers = 2, Heads = 2, Width = 64, Context = 64, VocabSize = 512 };

    /// <summary>A learnable stream of 20,000 ids: runs of counting sequences (mod <paramref name="modulo"/>), each of 50 ids from a random start.</summary>
    private string CountingCorpus(int modulo, int seed)
    {
        var random = new Random(seed);
        var tokens = new ushort[20000];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = (ushort)(i % 50 == 0 ? random.Next(modulo) : (tokens[i - 1] + 1) % modulo);
        return TrainingCorpus.Write(dir.File("corpus"), tokens, 2000);
    }

    [Fact]
    public void Loss_falls_on_standard_library_code()
    {
        var data = TrainingCorpus.Write(dir.File("corpus"), TrainingCorpus.StandardLibraryTokens, 2048);
        var observer = new RecordingObserver();
        var config = new TrainingConfig
        {
            Data = data, Output = dir.File("out"), MaxSteps = 16, BatchTokens = 256, BlockSize = 32, LearningRate = 1e-2,
            EvalEvery = 8, EvalBatches = 2, CheckpointEvery = 1000,
        };
        var summary = new Trainer(config, observer).Run(CancellationToken.None);

        Assert.Equal(16, summary.Steps);
        var first = observer.Steps.Take(3).Average(s => s.TrainLoss);
        var last = observer.Steps.TakeLast(3).Average(s => s.TrainLoss);
        // A random p50k model starts near ln(50281) ≈ 10.8; sixteen steps of 256 tokens take it well below.
        Assert.InRange(first, 10.0, 11.5);
        Assert.True(last < first - 2, $"loss went from {first:F3} to {last:F3}");
        Assert.Equal(2, observer.Validations.Count);
        Assert.True(observer.Validations[1].Loss < observer.Validations[0].Loss, string.Join(", ", observer.Validations));
    }

    [Fact]
    public void Bf16_compute_tracks_fp32_step_by_step()
    {
        // A small vocabulary keeps this quick on CPUs without native bfloat16 (there libtorch's bf16 matmul is slow).
        var shape = SmallVocabulary;
        var data = CountingCorpus(512, seed: 7);
        List<double> Losses(bool bf16)
        {
            var observer = new RecordingObserver();
            var config = new TrainingConfig
            {
                Data = data, Output = dir.File(bf16 ? "bf16" : "fp32"), MaxSteps = 12, BatchTokens = 256, BlockSize = 32,
                LearningRate = 1e-2, BFloat16 = bf16, ForceBFloat16 = bf16, Shape = shape, EvalEvery = 1000, CheckpointEvery = 1000,
            };
            new Trainer(config, observer).Run(CancellationToken.None);
            return observer.Steps.Select(s => s.TrainLoss).ToList();
        }
        var fp32 = Losses(false);
        var bf16 = Losses(true);
        // bfloat16 keeps 8 significant bits (~0.4% relative); over 12 steps the losses stay within 2% of each
        // other, while the loss itself falls by far more than that.
        Assert.True(fp32[^1] < fp32[0] - 0.3, $"fp32 loss did not fall: {fp32[0]:F3} → {fp32[^1]:F3}");
        for (var i = 0; i < fp32.Count; i++)
        {
            Assert.True(Math.Abs(bf16[i] - fp32[i]) <= 0.02 * fp32[i], $"step {i + 1}: bf16 {bf16[i]:F4}, fp32 {fp32[i]:F4}");
        }
        Assert.NotEqual(fp32, bf16); // the bf16 path really ran
    }

    [Fact]
    public void A_frequent_token_head_scores_the_corpus_s_most_frequent_ids_and_learns()
    {
        var shape = SmallVocabulary;
        // Ids 100..511 never occur, 0..99 about equally often.
        var data = CountingCorpus(100, seed: 3);
        var observer = new RecordingObserver();
        var config = new TrainingConfig
        {
            Data = data, Output = dir.File("headed"), MaxSteps = 24, BatchTokens = 256, BlockSize = 32, LearningRate = 1e-2,
            Shape = shape, HeadTokens = 100, EvalEvery = 1000, CheckpointEvery = 1000,
        };
        new Trainer(config, observer).Run(CancellationToken.None);

        var written = GptConfig.FromJson(Path.Combine(config.Output, "config.json"));
        Assert.Equal(Enumerable.Range(0, 100), written.HeadTokens!);
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(config.Output, "train.json")))!;
        Assert.Equal("100 ids, listed in the checkpoint's config.json", record["model"]!["head_tokens"]!.GetValue<string>());
        var losses = observer.Steps.Select(s => s.TrainLoss).ToList();
        // A fresh model spreads its probability over 101 head rows; the stream is learnable, so the loss falls.
        Assert.InRange(losses[0], Math.Log(101) - 0.5, Math.Log(101) + 0.5);
        Assert.True(losses[^1] < losses[0] - 0.5, $"loss went from {losses[0]:F3} to {losses[^1]:F3}: {string.Join(", ", losses.Select(l => l.ToString("F2")))}");
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_decays_by_cosine_to_a_tenth()
    {
        const double peak = 6e-4;
        Assert.Equal(peak / 10, LearningRateSchedule.At(1, 1000, 10, peak, 0.1), 12);
        Assert.Equal(peak * 5 / 10, LearningRateSchedule.At(5, 1000, 10, peak, 0.1), 12);
        Assert.Equal(peak, LearningRateSchedule.At(10, 1000, 10, peak, 0.1), 12);
        // Half-way through the decay the cosine is at its midpoint: floor + (peak − floor)/2.
        Assert.Equal(peak * 0.1 + 0.5 * peak * 0.9, LearningRateSchedule.At(505, 1000, 10, peak, 0.1), 12);
        Assert.Equal(peak * 0.1, LearningRateSchedule.At(1000, 1000, 10, peak, 0.1), 12);
        // Warm-up: the paper's 175 steps for long runs, 2% of a short one.
        Assert.Equal(175, new TrainingConfig { MaxSteps = 100_000 }.ResolvedWarmupSteps);
        Assert.Equal(20, new TrainingConfig { MaxSteps = 1000 }.ResolvedWarmupSteps);
        Assert.Equal(1, new TrainingConfig { MaxSteps = 10 }.ResolvedWarmupSteps);
    }

    [Fact]
    public void Weight_decay_shrinks_weight_matrices_only()
    {
        using var model = GptModel.CreateRandom(new GptConfig { Layers = 1, Heads = 2, Width = 8, Context = 8, VocabSize = 16 }, 1);
        var parameters = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        using var optimizer = new AdamOptimizer(parameters, 0.9, 0.95, 1e-8, 0.1);
        Assert.Equal(
            ["transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight", "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight"],
            optimizer.DecayedNames.Order(StringComparer.Ordinal));
        // With zero gradients Adam moves nothing; only the decoupled decay p ← p·(1 − lr·wd) acts.
        var before = parameters.ToDictionary(p => p.name, p => p.parameter.detach().clone());
        foreach (var (_, parameter) in parameters) parameter.grad = zeros_like(parameter);
        optimizer.Step(lr: 0.5);
        foreach (var (name, parameter) in parameters)
        {
            var expected = optimizer.DecayedNames.Contains(name) ? before[name] * 0.95 : before[name];
            Assert.True(parameter.detach().allclose(expected, rtol: 1e-6, atol: 1e-7), name);
        }
    }
}
