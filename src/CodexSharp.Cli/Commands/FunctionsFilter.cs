using System.Text.Json;
using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Generation;
using CodexSharp.Core.Io;
using CodexSharp.Generation;
using CodexSharp.Training.Functions;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// <c>corpus functions --filter-with MODEL</c>: the paper's last filter of Codex-S data (§4.2). Every checked
/// problem is sampled N times by a model and the samples run in the sandbox; a problem stays only if one of them
/// passes, so that problems no model can solve from their prompt (ambiguous or mis-specified) drop out. It is
/// two ordinary stages, `generate` then `evaluate`, into files beside the output, so an interrupted filter
/// continues where it stopped.
/// </summary>
internal static class FunctionsFilter
{
    /// <summary>The drop reason the manifest counts.</summary>
    public const string Reason = "unsolved_by_filter_model";

    /// <summary>Where the checked problems wait for the filter: FILE.candidates.jsonl beside FILE.jsonl.</summary>
    public static string CandidatesPath(string output) => FunctionsBuilder.Stem(output) + ".candidates.jsonl";

    /// <summary>
    /// Samples and evaluates <paramref name="candidatesPath"/>'s problems, writes the solved ones to
    /// <paramref name="outPath"/> and its manifest (the candidates' manifest plus a <c>filter</c> section and the
    /// <see cref="Reason"/> count), and returns that manifest.
    /// </summary>
    public static async Task<JsonObject> ApplyAsync(string candidatesPath, string outPath, FilterSettings filter, EvaluationSettings settings, CancellationToken ct)
    {
        var samplesPath = FunctionsBuilder.Stem(outPath) + ".filter-samples.jsonl";
        var generation = new GenerationConfig
        {
            Model = filter.Model,
            SamplesPath = samplesPath,
            ProblemsFile = candidatesPath,
            SamplesPerTask = filter.Samples,
            Sampling = new SamplingOptions
            {
                Temperature = filter.Temperature, TopP = 0.95, MaxTokens = filter.MaxTokens, Seed = filter.Seed, Stop = StopSequences.Paper,
            },
        };
        try
        {
            generation = generation.Validated();
        }
        catch (ConfigException e)
        {
            throw new UserInputException($"--filter-with: {e.Field}: {e.Reason}");
        }
        Console.Error.WriteLine($"filter: {filter.Samples} samples per problem from {filter.Model.Text} at T = {filter.Temperature} into {samplesPath}");
        var generated = await GenerationFlags.RunAsync(generation, ct);
        var config = new EvaluationConfig
        {
            SamplesPath = generated.SamplesPath,
            Problems = generated.Problems,
            Settings = settings,
            Benchmark = generated.Benchmark,
            RunInfo = new Dictionary<string, string> { ["problems_source"] = generated.Source, ["model"] = filter.Model.Text },
        };
        var summary = await ProgressView.RunAsync(progress =>
            new Evaluator(token => ProgramRunners.StartAsync(config.Benchmark.Language, settings, token), EvaluationFlags.Warn, progress).RunAsync(config, ct));

        var kept = generated.Problems.Problems.Where(p => summary.Tasks.TryGetValue(p.TaskId, out var counts) && counts.Passed > 0)
            .Select(p => (JsonNode)p.Row).ToList();
        JsonlFile.WriteAllAtomic(outPath, kept);

        var manifest = JsonNode.Parse(File.ReadAllText(FunctionsBuilder.ManifestPath(candidatesPath)))!.AsObject();
        var before = manifest["problems"]!.GetValue<int>();
        manifest["output"] = Path.GetFileName(outPath);
        manifest["output_sha256"] = Core.Problems.ProblemSet.HashFile(outPath);
        manifest["problems"] = kept.Count;
        manifest["by_kind"] = new JsonObject(kept.GroupBy(r => (string)r["source"]!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count())));
        manifest["dropped"]![Reason] = before - kept.Count;
        manifest["filter"] = new JsonObject
        {
            ["model"] = filter.Model.Text,
            ["samples_per_problem"] = filter.Samples,
            ["temperature"] = filter.Temperature,
            ["top_p"] = 0.95,
            ["max_tokens"] = filter.MaxTokens,
            ["seed"] = filter.Seed,
            ["candidates"] = Path.GetFileName(candidatesPath),
            ["candidates_problems"] = before,
            ["samples"] = Path.GetFileName(samplesPath),
            ["results"] = Path.GetFileName(config.ResolvedOutputPath),
            ["samples_passed"] = summary.Counts.Passed,
            ["samples_run"] = summary.Counts.Passed + summary.Counts.Failed + summary.Counts.TimedOut,
        };
        AtomicFile.WriteAllText(FunctionsBuilder.ManifestPath(outPath), manifest.ToJsonString(new JsonSerializerOptions(JsonlFile.WriteOptions) { WriteIndented = true }) + "\n");
        return manifest;
    }
}

/// <summary>How <see cref="FunctionsFilter"/> samples: the model, N samples per problem, temperature, length and seed.</summary>
internal sealed record FilterSettings(ModelSpec Model, int Samples, double Temperature, int MaxTokens, long? Seed);
