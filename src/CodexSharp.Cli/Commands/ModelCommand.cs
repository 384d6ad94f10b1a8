using System.CommandLine;
using CodexSharp.Core;
using CodexSharp.Gguf;
using CodexSharp.Model;
using CodexSharp.Model.Checkpoints;
using CodexSharp.Model.Modeling;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// <c>codexsharp model init</c>: write a randomly initialised checkpoint (for tests, demos and as a training start);
/// <c>model convert</c>: store a checkpoint's weights as float16, bfloat16 or float32 (they load as float32);
/// <c>model export</c>: write a checkpoint as a GGUF file for llama.cpp.
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
        var exportSource = new Argument<string>("MODEL") { Description = "The checkpoint: local:DIR, or default / default-docstring." };
        var format = new Option<string>("--format") { Description = "Output format: gguf (llama.cpp's gpt2 architecture).", Required = true };
        format.AcceptOnlyFromAmong("gguf");
        var exportOut = new Option<FileInfo>("--out") { Description = "The .gguf file to write.", Required = true };
        var exportType = new Option<string>("--dtype") { Description = "Storage type of the weight matrices: f32, f16 or q8_0.", DefaultValueFactory = _ => "f32" };
        exportType.AcceptOnlyFromAmong([.. GgufExport.DTypes]);
        var export = new Command("export", "Write a checkpoint as a GGUF file that llama.cpp (and gguf:PATH) runs.") { exportSource, format, exportOut, exportType, force };
        export.SetAction(parse =>
        {
            var spec = parse.GetValue(exportSource)!;
            var path = parse.GetValue(exportOut)!.FullName;
            if (Directory.Exists(path)) throw new UserInputException($"--out {path}: is a directory; give the .gguf file to write");
            if (File.Exists(path) && !parse.GetValue(force)) throw new UserInputException($"--out {path}: exists already; pass --force to overwrite it");
            var (model, _, name) = LocalModelLoader.Load(spec);
            GgufExportResult result;
            using (model)
            {
                try
                {
                    result = GgufExport.Export(model, name, path, parse.GetValue(exportType)!);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UserInputException($"--out {path}: cannot write there: {e.Message}");
                }
            }
            var head = result.FrequentHead ? $"; frequent-token head built into the output matrix (shift exact to {result.HeadShiftError:E1} nats)" : "";
            Console.WriteLine($"wrote {path} ({result.Bytes / 1e6:F1} MB, {result.DType}, {result.Tensors} tensors{head}); use it as gguf:{path}");
            return ExitCodes.Success;
        });
        return new Command("model", "Local model checkpoints.") { init, convert, export };
    }
}
