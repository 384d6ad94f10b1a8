using System.CommandLine;
using System.Text;
using System.Text.Json;
using CodexSharp.Core;
using CodexSharp.Gguf;
using CodexSharp.Model;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// <c>codexsharp score</c>: the log-probability of every token of a text under a local model
/// (logprobs[i] = log p(token i+1 | tokens 0..i)); the primitive behind mean-log-prob ranking and perplexity.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The model: local:CHECKPOINT_DIR or hf:DIR.", Required = true };
        var textFile = new Option<FileInfo>("--text-file") { Description = "UTF-8 text to score.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print {\"tokens\", \"logprobs\", \"sum_logprob\", \"mean_logprob\"} as JSON." };
        var command = new Command("score", "Score a text with a local model: per-token log-probabilities, their sum and mean.") { model, textFile, json };
        command.SetAction(async (parse, ct) =>
        {
            var spec = parse.GetValue(model)!;
            if (!InProcessModels.Names(spec)) throw new UserInputException($"--model '{spec}': score needs local:DIR, hf:DIR or gguf:PATH");
            var file = parse.GetValue(textFile)!;
            if (!file.Exists) throw new UserInputException($"{file.FullName}: file not found");
            var text = ReadUtf8(file.FullName, await File.ReadAllBytesAsync(file.FullName, ct));
            using var generator = InProcessModels.Load(spec);
            var score = await generator.ScoreAsync(text);
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var writer = new Utf8JsonWriter(stdout))
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("tokens");
                    foreach (var token in score.Tokens) writer.WriteNumberValue(token);
                    writer.WriteEndArray();
                    writer.WriteStartArray("logprobs");
                    foreach (var logProb in score.LogProbs) writer.WriteNumberValue(logProb);
                    writer.WriteEndArray();
                    writer.WriteNumber("sum_logprob", score.SumLogProb);
                    // One token has no log-probability (nothing comes before it): the mean is undefined, not 0.
                    if (score.LogProbs.Count == 0) writer.WriteNull("mean_logprob");
                    else writer.WriteNumber("mean_logprob", score.MeanLogProb);
                    writer.WriteEndObject();
                }
                stdout.WriteByte((byte)'\n');
            }
            else if (score.LogProbs.Count == 0)
            {
                Console.WriteLine($"{generator.ModelName}: 1 token, no log-probability (only a token after the first has one), so no mean or perplexity");
            }
            else
            {
                Console.WriteLine($"{generator.ModelName}: {score.Tokens.Count} tokens, sum log p {score.SumLogProb:F4}, mean log p {score.MeanLogProb:F4}, perplexity {Math.Exp(-score.MeanLogProb):F2}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The file's text; invalid UTF-8 is an input error naming the file and the first bad byte's offset.</summary>
    private static string ReadUtf8(string path, byte[] bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes.AsSpan(offset), out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                throw new UserInputException($"{path}: byte offset {offset}: the bytes are not valid UTF-8 (the text to score must be UTF-8)");
            }
            offset += consumed;
        }
        var bom = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        return new UTF8Encoding(false, true).GetString(bytes, bom, bytes.Length - bom);
    }
}
