using System.Diagnostics;
using CodexSharp.Model.Modeling;
using CodexSharp.Training.Corpus;
using CodexSharp.Training.Training;
using static TorchSharp.torch;

namespace CodexSharp.Training.Benchmarks;

/// <summary>
/// Model-FLOPs utilisation of the training loop: this machine's matmul peak (fp32 and bf16, torch.matmul of
/// 2048² matrices on libtorch's threads), measured before and after a fixed number of training steps of a preset
/// in the same process, and the steps' achieved FLOP/s by the PaLM formula (6N + 12·L·H·Q·T per token).
/// </summary>
internal static class TrainingThroughput
{
    public sealed record Options(string Preset, int Steps, int? BatchTokens, int? BlockSize, int? MicroBatch, string? Data, bool BFloat16);

    private sealed class Recorder : ITrainingObserver
    {
        public List<StepReport> Steps { get; } = [];
        public TrainingPlan? Plan { get; private set; }
        public void Started(TrainingPlan plan) => Plan = plan;
        public void Stepped(StepReport step) => Steps.Add(step);
        public void Evaluated(int step, double validationLoss) { }
        public void Checkpointed(int step, string directory) { }
    }

    public static int Run(Options options)
    {
        var preset = GptPresets.ByName(options.Preset);
        var blockSize = options.BlockSize ?? Math.Min(preset.Context, 256);
        var batchTokens = options.BatchTokens ?? blockSize * 16;
        Console.WriteLine($"threads {get_num_threads()}, load average at start {Load()}");
        var native = Precision.HasNativeBFloat16();
        var fp32Before = MatmulPeak.Measure(ScalarType.Float32, 2048, 5);
        // Without native bf16 libtorch's bf16 matmul is orders of magnitude slower: a small size bounds the wait.
        var bf16Before = native ? MatmulPeak.Measure(ScalarType.BFloat16, 2048, 5) : MatmulPeak.Measure(ScalarType.BFloat16, 256, 1);
        Console.WriteLine($"matmul peak before: fp32 {fp32Before:F1} GFLOP/s, bf16 {bf16Before:F1} GFLOP/s{(native ? "" : " (no avx512_bf16/amx_bf16 on this CPU)")}");

        var root = Directory.CreateTempSubdirectory("codexsharp-bench-train-").FullName;
        try
        {
            var data = options.Data ?? WriteSyntheticCorpus(Path.Combine(root, "corpus"), preset.VocabSize, 2_000_000);
            var recorder = new Recorder();
            var config = new TrainingConfig
            {
                Data = data, Output = Path.Combine(root, "out"), Preset = options.Preset, MaxSteps = options.Steps, BatchTokens = batchTokens,
                BlockSize = blockSize, MicroBatchRows = options.MicroBatch, BFloat16 = options.BFloat16, CheckpointEvery = 1_000_000,
                EvalEvery = 1_000_000, EvalBatches = 1,
            };
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var summary = new Trainer(config, recorder).Run(CancellationToken.None);
            var wall = clock.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

            var fp32After = MatmulPeak.Measure(ScalarType.Float32, 2048, 5);
            var bf16After = native ? MatmulPeak.Measure(ScalarType.BFloat16, 2048, 5) : bf16Before;
            Console.WriteLine($"matmul peak after: fp32 {fp32After:F1} GFLOP/s, bf16 {bf16After:F1} GFLOP/s; load average at end {Load()}");

            // The first step pays for first-touch allocations; the rest are the steady state.
            var steady = recorder.Steps.Skip(recorder.Steps.Count > 2 ? 1 : 0).ToList();
            var tokensPerSecond = steady.Sum(s => (double)batchTokens) / steady.Sum(s => batchTokens / s.TokensPerSecond);
            var flopsPerToken = ModelFlops.PerToken(preset, blockSize);
            var achieved = flopsPerToken * tokensPerSecond / 1e9;
            var plan = recorder.Plan!;
            Console.WriteLine($"preset {options.Preset}: {preset.ParameterCount / 1e6:F1}M parameters ({ModelFlops.MatmulParameters(preset) / 1e6:F1}M in matmuls), block {blockSize}, " +
                              $"{plan.Batch}, {plan.Precision}");
            Console.WriteLine($"{flopsPerToken / 1e6:F1} MFLOP per token (6N + 12·L·H·Q·T), {tokensPerSecond:F0} tokens/s over {steady.Count} steps, loss {recorder.Steps[0].TrainLoss:F3} → {recorder.Steps[^1].TrainLoss:F3}");
            var t = summary.Times;
            var total = t.Data + t.Forward + t.Backward + t.Optimizer;
            Console.WriteLine($"time per step: data {Share(t.Data)}, forward {Share(t.Forward)}, backward {Share(t.Backward)}, optimizer {Share(t.Optimizer)} " +
                              $"(all {options.Steps} steps, {total / options.Steps:F2} s/step); CPU {cpu / wall:F2} cores busy of {get_num_threads()}");
            Console.WriteLine($"peak RSS {PeakResidentMegabytes():F0} MB");
            string Share(double seconds) => $"{seconds / options.Steps:F3} s ({seconds / total:P0})";

            var peak = plan.Precision.StartsWith("bf16", StringComparison.Ordinal) ? Math.Max(bf16Before, bf16After) : Math.Max(fp32Before, fp32After);
            var mfu = achieved / peak;
            Console.WriteLine(native
                ? $"mfu: {mfu:F2} (achieved {achieved:F1} GFLOP/s, bf16 peak {peak:F1} GFLOP/s)"
                : $"mfu: {mfu:F2} (achieved {achieved:F1} GFLOP/s, fp32 peak {peak:F1} GFLOP/s; no native bf16 here, bf16 peak {bf16Before:F1} GFLOP/s)");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static double PeakResidentMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>Uniformly random ids: the loss stays near ln V, which is all a throughput measurement needs.</summary>
    private static string WriteSyntheticCorpus(string directory, int vocabulary, int count)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(1);
        var tokens = new ushort[count];
        for (var i = 0; i < count; i++) tokens[i] = (ushort)random.Next(Math.Min(vocabulary, 50257));
        var split = count / 20;
        File.WriteAllBytes(Path.Combine(directory, CorpusData.TrainFile), System.Runtime.InteropServices.MemoryMarshal.AsBytes(tokens.AsSpan(split)).ToArray());
        File.WriteAllBytes(Path.Combine(directory, CorpusData.ValidationFile), System.Runtime.InteropServices.MemoryMarshal.AsBytes(tokens.AsSpan(0, split)).ToArray());
        var manifest = new CorpusManifest
        {
            Tokenizer = CodexSharp.Model.Tokenization.CodeTokenizer.P50kBase, EndOfText = 50256, CreatedUtc = DateTimeOffset.UtcNow, WallSeconds = 0,
            Sources = [], FilesSeen = 0, BytesSeen = 0, FilesKept = 0, BytesKept = 0, Dropped = DropReasons.All.ToDictionary(r => r, _ => 0L),
            Train = new CorpusSplit(CorpusData.TrainFile, 1, (count - split) * 2L, count - split),
            Validation = new CorpusSplit(CorpusData.ValidationFile, 1, split * 2L, split),
            ValFraction = 0.05, Seed = 0, Filters = new CorpusFilterSettings(), Decontamination = new CorpusDecontamination(false, 50, 100, []),
        };
        File.WriteAllText(Path.Combine(directory, CorpusManifest.FileName), manifest.ToJson());
        return directory;
    }
}
