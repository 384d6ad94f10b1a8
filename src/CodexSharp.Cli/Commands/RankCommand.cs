using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Io;
using CodexSharp.Core.Metrics;
using CodexSharp.Core.Problems;
using CodexSharp.Core.Samples;
using CodexSharp.Gguf;
using CodexSharp.Model;
using CodexSharp.Training.Functions;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// <c>codexsharp rank</c>: adds a ranking score to every sample (§3.3, §5): its mean log-probability under a
/// local model, or its back-translation score log p(docstring | signature + body) under a Codex-D model. When the
/// rows carry verdicts (a results file), it prints the pass rate of the top-ranked sample per problem for each
/// score the rows hold, next to random choice.
/// </summary>
internal static class RankCommand
{
    public const string MeanLogProb = "mean_logprob";
    public const string BackTranslation = "backtranslation";

    /// <summary>Samples scored in one forward pass.</summary>
    private const int ScoreBatchRows = 16;

    /// <summary>The score fields a row may carry, best first: higher is better for each.</summary>
    public static IReadOnlyList<string> ScoreFields { get; } = ["mean_logprob", "sum_logprob", "backtranslation_logprob"];

    public static Command Create()
    {
        var samples = new Argument<FileInfo>("SAMPLES") { Description = "Samples or results JSONL(.gz): task_id, completion (and passed, for the summary)." };
        var model = new Option<string>("--model") { Description = "The scoring model: local:DIR, hf:DIR or gguf:PATH (a Codex-D model for backtranslation).", Required = true };
        var method = new Option<string>("--method") { Description = $"{MeanLogProb}: mean log p(completion | prompt); {BackTranslation}: log p(docstring | signature + completion) under Codex-D.", Required = true };
        method.AcceptOnlyFromAmong(MeanLogProb, BackTranslation);
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the scored rows (default: SAMPLES with _ranked before .jsonl)." };
        var problems = new ProblemOptions();
        var command = new Command("rank", "Score every sample for ranking (mean log-probability or back-translation) and show ranked pass@1.") { samples, model, method, output };
        problems.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var input = parse.GetValue(samples)!.FullName;
            var spec = parse.GetValue(model)!;
            var how = parse.GetValue(method)!;
            var outPath = parse.GetValue(output)?.FullName ?? DefaultOutput(input);
            OutputFiles.CheckOutput(outPath, (input, "samples file"));
            if (!InProcessModels.Names(spec)) throw new UserInputException($"--model '{spec}': rank needs local:DIR, hf:DIR or gguf:PATH");
            var rows = SampleFile.Read(input);
            using var generator = InProcessModels.Load(spec);
            var task = generator.FineTunedTask;
            if (how == MeanLogProb && task == "docstring")
                throw new UserInputException($"--model {spec}: is a Codex-D model (fine-tuned with --task docstring); mean-log-prob ranking of solutions needs a model that writes code (pretrained or --task solve).");
            if (how == BackTranslation && task != "docstring")
                Console.Error.WriteLine($"warning: {spec} was not fine-tuned with --task docstring; back-translation scores from it measure a pretrained model's guess at the docstring.");
            var (set, _, _) = await problems.LoadAsync(parse, ct);
            foreach (var row in rows)
            {
                if (!set.TryGet(row.TaskId, out _))
                    throw UserInputException.At(input, row.Line, "task_id", $"'{row.TaskId}' is not in the problems file {set.Path}.");
            }

            var inputs = how == BackTranslation ? FunctionExtractor.SplitPrompts(set, rows.Select(r => r.TaskId)) : null;
            var done = 0;
            var throttle = new ProgressThrottle(ProgressThrottle.PlainLineInterval);
            // Sixteen samples per forward pass, in file order (so the batches, and the scores, are the same every run).
            foreach (var chunk in rows.Chunk(ScoreBatchRows))
            {
                ct.ThrowIfCancellationRequested();
                var pairs = chunk.Select(row =>
                {
                    set.TryGet(row.TaskId, out var problem);
                    if (how == MeanLogProb) return (problem.Prompt, row.Completion);
                    var (code, docstring) = inputs![row.TaskId];
                    return (DocstringLayout.Input(code + row.Completion, problem.EntryPoint), DocstringLayout.Target(docstring));
                }).ToList();
                var scores = await generator.ScoreContinuationsAsync(pairs);
                for (var i = 0; i < chunk.Length; i++)
                {
                    var (row, score) = (chunk[i], scores[i]);
                    if (how == MeanLogProb)
                    {
                        row.Row["mean_logprob"] = double.IsNaN(score.MeanLogProb) ? null : score.MeanLogProb;
                        row.Row["sum_logprob"] = score.SumLogProb;
                    }
                    else
                    {
                        row.Row["backtranslation_logprob"] = score.SumLogProb;
                    }
                }
                done += chunk.Length;
                if (throttle.ShouldReport(done == rows.Count)) Console.Error.WriteLine($"rank: {done}/{rows.Count} samples scored");
            }
            KeepEarlierScores(outPath, rows);
            JsonlFile.WriteAllAtomic(outPath, rows.Select(r => (JsonNode)r.Row));
            Console.WriteLine($"wrote {outPath} ({rows.Count} rows with {(how == MeanLogProb ? "mean_logprob, sum_logprob" : "backtranslation_logprob")})");
            PrintRankedPassRates(rows);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Ranking by one method and then another writes both scores into one file: when <paramref name="outPath"/>
    /// already holds these samples (same rows, task ids and completions), the fields its rows have that the new
    /// rows lack (an earlier method's score) are kept.
    /// </summary>
    /// <exception cref="UserInputException">The file holds other samples; it is not overwritten.</exception>
    private static void KeepEarlierScores(string outPath, IReadOnlyList<Sample> rows)
    {
        if (!File.Exists(outPath)) return;
        var earlier = SampleFile.Read(outPath);
        var differs = earlier.Count != rows.Count ? 0
            : Enumerable.Range(0, rows.Count).FirstOrDefault(i => earlier[i].TaskId != rows[i].TaskId || earlier[i].Completion != rows[i].Completion, -1);
        if (differs >= 0)
            throw new UserInputException($"{outPath}: holds other samples than the ones ranked now ({(earlier.Count != rows.Count ? $"{earlier.Count} rows, not {rows.Count}" : $"row {earlier[differs].Line} differs")}); give another --out or remove it.");
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var (field, value) in earlier[i].Row)
            {
                if (!rows[i].Row.ContainsKey(field)) rows[i].Row[field] = value?.DeepClone();
            }
        }
    }

    /// <summary>SAMPLES.jsonl → SAMPLES_ranked.jsonl (the .gz is kept).</summary>
    public static string DefaultOutput(string input)
    {
        var gz = input.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? ".gz" : "";
        var stem = input[..^gz.Length];
        if (stem.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) stem = stem[..^".jsonl".Length];
        return stem + "_ranked.jsonl" + gz;
    }

    /// <summary>For rows with verdicts: pass@1 of the top-ranked sample per problem, per score, and of random choice.</summary>
    private static void PrintRankedPassRates(IReadOnlyList<Sample> rows)
    {
        if (rows.Any(r => r.Row["passed"] is null))
        {
            Console.WriteLine("(the rows carry no verdicts: evaluate the scored file to see ranked pass@1)");
            return;
        }
        var groups = rows.GroupBy(r => r.TaskId, StringComparer.Ordinal).ToList();
        Console.WriteLine($"pass@1 of the top-ranked sample ({groups.Count} problems, {rows.Count} samples):");
        Console.WriteLine($"  {"random",-24} {100 * groups.Average(g => g.Average(r => Passed(r) ? 1.0 : 0.0)),6:F2}%");
        foreach (var field in ScoreFields)
        {
            var unscored = rows.Count(r => r.Row[field] is null);
            if (unscored == rows.Count) continue;
            var rate = groups.Average(g => TopRanked.PassRate(g.Select(r => (Score(r, field), Passed(r)))));
            Console.WriteLine($"  {field,-24} {100 * rate,6:F2}%{(unscored > 0 ? $"  ({unscored} samples without a score rank last)" : "")}");
        }
        Console.WriteLine($"  {"oracle",-24} {100 * groups.Average(g => g.Any(Passed) ? 1.0 : 0.0),6:F2}%");
    }

    private static bool Passed(Sample row) => row.Row["passed"]!.GetValue<bool>();

    private static double Score(Sample row, string field) =>
        row.Row[field] is { } value ? double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) : double.NegativeInfinity;
}
