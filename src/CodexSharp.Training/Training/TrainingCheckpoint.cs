using System.Globalization;
using CodexSharp.Core;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;
using static TorchSharp.torch;

namespace CodexSharp.Training.Training;

/// <summary>
/// The resumable state of a run, in one safetensors file (<c>trainer-state.safetensors</c>) written atomically:
/// the float32 master weights (<c>model.NAME</c>), Adam's moments (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c>) and,
/// in the header's metadata, the step, tokens seen and time spent. The data sampler and dropout draw from
/// (seed, step) alone, so the step is their whole state. One file means a crash leaves the previous state or the
/// new one, never a mix; the loadable model (config.json + model.safetensors) is written after it. A fine-tuning run
/// also stores its best weights (<c>best.NAME</c>) and their step and loss, and the loadable model is those.
/// </summary>
public static class TrainingCheckpoint
{
    public const string StateFile = "trainer-state.safetensors";
    private const string Format = "codexsharp-trainer-state/1";

    /// <summary>Counters stored with the weights.</summary>
    public sealed record Counters(int Step, long Tokens, double TrainingSeconds, double CpuSeconds);

    /// <summary>Writes the state, then the loadable checkpoint; an I/O failure leaves the previous files intact.</summary>
    /// <exception cref="TrainingFailedException">The disk is full or the folder cannot be written.</exception>
    public static void Save(string directory, GptModel master, AdamOptimizer optimizer, Counters counters, BestModel? best = null)
    {
        var path = Path.Combine(directory, StateFile);
        var tensors = master.named_parameters().Select(p => ("model." + p.name, (Tensor)p.parameter)).Concat(optimizer.State());
        if (best is not null) tensors = tensors.Concat(best.Model.named_parameters().Select(p => ("best." + p.name, (Tensor)p.parameter)));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["step"] = counters.Step.ToString(CultureInfo.InvariantCulture),
            ["tokens"] = counters.Tokens.ToString(CultureInfo.InvariantCulture),
            ["training_seconds"] = counters.TrainingSeconds.ToString("R", CultureInfo.InvariantCulture),
            ["cpu_seconds"] = counters.CpuSeconds.ToString("R", CultureInfo.InvariantCulture),
        };
        if (best is not null)
        {
            metadata["best_step"] = best.Step.ToString(CultureInfo.InvariantCulture);
            metadata["best_loss"] = best.Loss.ToString("R", CultureInfo.InvariantCulture);
            metadata["stale_evaluations"] = best.Stale.ToString(CultureInfo.InvariantCulture);
        }
        try
        {
            SafeTensorsWriter.Write(path, tensors, metadata);
            LocalCheckpoint.Save(best?.Model ?? master, directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainingFailedException(
                $"{directory}: could not write the checkpoint of step {counters.Step}: {e.Message.TrimEnd('.')}; the previous checkpoint is intact, free some space and run the same command again to continue from it");
        }
    }

    /// <summary>The step a state file in <paramref name="directory"/> was written at, or null when there is none.</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, StateFile));

    /// <summary>Loads the state into <paramref name="master"/>, <paramref name="optimizer"/> and <paramref name="best"/>.</summary>
    /// <exception cref="UserInputException">The file is not a state file of this model's shape.</exception>
    public static Counters Load(string directory, GptModel master, AdamOptimizer optimizer, BestModel? best = null)
    {
        var path = Path.Combine(directory, StateFile);
        using var file = SafeTensorsFile.Open(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new UserInputException($"{path}: field 'format': expected '{Format}'; this is not a training state written by this version");
        Tensor Read(string name)
        {
            if (!file.Names.Contains(name)) throw new UserInputException($"{path}: no tensor named '{name}'; the state does not fit this model");
            return file.Get(name);
        }
        void LoadInto(GptModel model, string prefix)
        {
            using var noGrad = no_grad();
            foreach (var (name, parameter) in model.named_parameters())
            {
                using var stored = Read(prefix + name);
                if (!stored.shape.SequenceEqual(parameter.shape))
                    throw new UserInputException($"{path}: tensor '{prefix}{name}': shape [{string.Join(", ", stored.shape)}], the model's is [{string.Join(", ", parameter.shape)}]");
                parameter.copy_(stored);
            }
        }
        LoadInto(master, "model.");
        if (best is not null)
        {
            if (!file.Metadata.TryGetValue("best_step", out var bestStep))
                throw new UserInputException($"{path}: holds no best weights; it was not written by a fine-tuning run");
            LoadInto(best.Model, "best.");
            best.Restore(int.Parse(bestStep, CultureInfo.InvariantCulture), double.Parse(file.Metadata["best_loss"], CultureInfo.InvariantCulture),
                int.Parse(file.Metadata["stale_evaluations"], CultureInfo.InvariantCulture));
        }
        var counters = new Counters(
            int.Parse(file.Metadata["step"], CultureInfo.InvariantCulture),
            long.Parse(file.Metadata["tokens"], CultureInfo.InvariantCulture),
            double.Parse(file.Metadata["training_seconds"], CultureInfo.InvariantCulture),
            double.Parse(file.Metadata["cpu_seconds"], CultureInfo.InvariantCulture));
        optimizer.Load(Read, counters.Step);
        return counters;
    }
}
