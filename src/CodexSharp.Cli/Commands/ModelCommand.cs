using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;

namespace CodexSharp.Cli.Commands;

/// <summary><c>codexsharp model init</c>: write a randomly initialised checkpoint (for tests, demos and as a training start).</summary>
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
        return new Command("model", "Local model checkpoints.") { init };
    }
}
