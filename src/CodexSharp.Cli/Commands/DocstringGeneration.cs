using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Core.Samples;
using CodexSharp.Gguf;
using CodexSharp.Model;
using CodexSharp.Training.Functions;

namespace CodexSharp.Cli.Commands;

/// <summary>
/// <c>generate --task docstring</c>: a Codex-D model writes a docstring for each sample (the paper's §5). Its input is
/// <see cref="DocstringLayout.Input"/> of the problem's code without its docstring followed by the sample's body;
/// sampling stops at the closing <c>"""</c>. Each output row is the sample's row (every field kept) plus
/// <c>sample_row</c>, <c>docstring_index</c>, <c>docstring</c> and <c>docstring_finish_reason</c>. Rows are appended as
/// they are written; a re-run continues where the last one stopped.
/// </summary>
internal static class DocstringGeneration
{
    /// <summary>Requests in flight together (the model merges them into one sampling batch).</summary>
    private const int InFlight = 8;

    public static async Task RunAsync(string modelSpec, string samplesPath, string? problemsFile, string? dataset, string outPath, int n,
        SamplingOptions sampling, CancellationToken ct)
    {
        if (!InProcessModels.Names(modelSpec)) throw new UserInputException($"--model '{modelSpec}': --task docstring needs an in-process model, local:DIR, hf:DIR or gguf:PATH");
        if (!File.Exists(samplesPath)) throw new UserInputException($"--samples {samplesPath}: no such file");
        OutputFiles.CheckOutput(outPath, (samplesPath, "samples file"));
        var rows = SampleFile.Read(samplesPath);
        var (set, _, _) = await ProblemOptions.LoadAsync(problemsFile, dataset, ct);
        foreach (var row in rows)
        {
            if (!set.TryGet(row.TaskId, out _))
                throw UserInputException.At(samplesPath, row.Line, "task_id", $"'{row.TaskId}' is not in the problems file {set.Path}.");
        }
        var codeOf = FunctionExtractor.SplitPrompts(set, rows.Select(r => r.TaskId));

        using var generator = InProcessModels.Load(modelSpec);
        var task = generator.FineTunedTask;
        if (task == "solve")
            throw new UserInputException($"--model {modelSpec}: was fine-tuned with --task solve (Codex-S) and writes code; --task docstring needs a model fine-tuned with finetune --task docstring (Codex-D)");
        if (task != "docstring")
            Console.Error.WriteLine($"warning: {modelSpec} was not fine-tuned with --task docstring; a pretrained model's docstrings are a guess at the layout");

        using var journal = JournalFile.Open(outPath, outPath);
        var done = new HashSet<(int, int)>();
        foreach (var line in journal.Lines)
        {
            var row = JsonNode.Parse(line)!.AsObject();
            done.Add((row["sample_row"]!.GetValue<int>(), row["docstring_index"]!.GetValue<int>()));
        }
        var todo = rows.Select((row, i) => (Row: row, Index: i)).Where(r => Enumerable.Range(0, n).Any(k => !done.Contains((r.Index, k)))).ToList();
        Console.WriteLine($"writing {n} docstring(s) for each of {rows.Count} samples with {generator.ModelName} into {outPath}" +
                          (done.Count > 0 ? $" ({done.Count} already there)" : ""));
        sampling = sampling with { Stop = [DocstringLayout.TargetEnd], LogProbs = false };
        var written = 0;
        var throttle = new ProgressThrottle(ProgressThrottle.PlainLineInterval);
        foreach (var chunk in todo.Chunk(InFlight))
        {
            ct.ThrowIfCancellationRequested();
            var answers = await Task.WhenAll(chunk.Select(async item =>
            {
                set.TryGet(item.Row.TaskId, out var problem);
                var input = DocstringLayout.Input(codeOf[item.Row.TaskId].Code + item.Row.Completion, problem.EntryPoint);
                var request = new CompletionRequest(input, n, sampling with { Seed = sampling.Seed is { } s ? s + item.Index : null });
                return (item, await generator.GenerateAsync(request, ct));
            }));
            foreach (var (item, completions) in answers)
            {
                for (var k = 0; k < completions.Count; k++)
                {
                    if (done.Contains((item.Index, k))) continue;
                    var row = item.Row.Row.DeepClone().AsObject();
                    row["sample_row"] = item.Index;
                    row["docstring_index"] = k;
                    row["docstring"] = CutAtEnd(completions[k].Text);
                    row["docstring_finish_reason"] = completions[k].FinishReason;
                    journal.Append(row.ToJsonString(JsonlFile.WriteOptions));
                    written++;
                }
            }
            if (throttle.ShouldReport(chunk[^1].Index == todo[^1].Index)) Console.Error.WriteLine($"generate: {written} docstring(s) written");
        }
        Console.WriteLine($"docstrings: {written} new, {done.Count} already there; wrote {outPath}");
    }

    /// <summary>The docstring's text: up to the closing quotes, its ends trimmed.</summary>
    internal static string CutAtEnd(string text)
    {
        var end = text.IndexOf(DocstringLayout.TargetEnd, StringComparison.Ordinal);
        return (end >= 0 ? text[..end] : text).Trim();
    }
}
