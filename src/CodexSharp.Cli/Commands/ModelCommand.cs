using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// <c>codexsharp model init</c>: write a randomly initialised checkpoint (for tests, demos and as a training start);
/// <c>model convert</c>: store a checkpoint's weights as float16, bfloat16 or float32 (they load as float32).
/// </summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = $"Model shape: {string.Join(", ", GptPresets.Names)}.", DefaultValueFactory = _ => "tiny" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Checkpoint directory to write (config.json + model.safetensors).", Required = true };
        var seed = new Option<long>("--seed") { Description = "Seed of the random initialisation.", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force") { Description = "Overwrite a checkpoint already in --out." };
        var init = new Command("init", "Write a checkpoint with GPT-2's random initialisation; serve or sample it as local:DIR.") { preset, output, seed, force };
        init.SetAction(parse =>
        {
            var config = GptPresets.ByName(parse.GetValue(preset)!);
            var directory = parse.GetValue(output)!.FullName;
            if (File.Exists(directory)) throw new UserInputException($"--out {directory}: a file is in the way");
            var existing = new[] { LocalCheckpoint.ConfigFile, LocalCheckpoint.WeightsFile }.Where(f => File.Exists(Path.Combine(directory, f))).ToList();
            if (existing.Count > 0 && !parse.GetValue(force))
            {
                throw new UserInputException($"--out {directory}: holds a checkpoint already ({string.Join(", ", existing)}); pass --force to overwrite it");
            }
            using var model = GptModel.CreateRandom(config, parse.GetValue(seed));
            try
            {
                LocalCheckpoint.Save(model, directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserInputException($"--out {directory}: cannot write the checkpoint there: {e.Message}");
            }
            Console.WriteLine($"wrote {directory} ({config.ParameterCount / 1e6:F1}M parameters, {config.Layers} layers × {config.Width}, tokenizer {config.Tokenizer}); use it as local:{directory}");
            return ExitCodes.Success;
        });
        var source = new Argument<string>("MODEL") { Description = "The checkpoint: local:DIR." };
        var convertOut = new Option<DirectoryInfo>("--out") { Description = "Checkpoint directory to write.", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "Storage type of the weights: f16, bf16 or f32.", Required = true };
        dtype.AcceptOnlyFromAmong("f16", "bf16", "f32");
        var convert = new Command("convert", "Copy a checkpoint with its weights stored as f16, bf16 or f32 (half the size; they load as float32).") { source, convertOut, dtype, force };
        convert.SetAction(parse =>
        {
            var spec = parse.GetValue(source)!;
            if (!spec.StartsWith("local:", StringComparison.Ordinal)) throw new UserInputException($"MODEL '{spec}': expected local:DIR");
            var directory = parse.GetValue(convertOut)!.FullName;
            var from = Path.GetFullPath(spec["local:".Length..]);
            if (string.Equals(from.TrimEnd('/'), directory.TrimEnd('/'), StringComparison.Ordinal)) throw new UserInputException($"--out {directory}: is the checkpoint being converted; write the copy elsewhere");
            if (File.Exists(Path.Combine(directory, LocalCheckpoint.WeightsFile)) && !parse.GetValue(force))
            {
                throw new UserInputException($"--out {directory}: holds a checkpoint already ({LocalCheckpoint.WeightsFile}); pass --force to overwrite it");
            }
            var (model, _) = LocalCheckpoint.Load(from);
            using (model)
            {
                var storage = parse.GetValue(dtype) switch { "f16" => TorchSharp.torch.ScalarType.Float16, "bf16" => TorchSharp.torch.ScalarType.BFloat16, _ => TorchSharp.torch.ScalarType.Float32 };
                LocalCheckpoint.Save(model, directory, storage);
            }
            var bytes = new FileInfo(Path.Combine(directory, LocalCheckpoint.WeightsFile)).Length;
            Console.WriteLine($"wrote {directory} ({bytes / 1e6:F1} MB of {parse.GetValue(dtype)} weights); use it as local:{directory}");
            return ExitCodes.Success;
        });
        return new Command("model", "Local model checkpoints.") { init, convert };
    }
}
