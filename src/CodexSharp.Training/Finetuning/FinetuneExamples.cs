using CodexSharp.Core;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Model.Tokenization;
using CodexSharp.Training.Functions;
using CodexSharp.Training.Training;

namespace CodexSharp.Training.Finetuning;

/// <summary>One fine-tuning example as token ids: the prompt (no loss) and the target (the loss is on these).</summary>
public sealed record FinetuneExample(string TaskId, int[] Prompt, int[] Target)
{
    public int Length => Prompt.Length + Target.Length;
}

/// <summary>
/// A problems file turned into fine-tuning examples for a task, split into training and validation by task id.
/// <list type="bullet">
/// <item><c>solve</c> (Codex-S): prompt = the problem's prompt; target = canonical_solution and &lt;|endoftext|&gt;.</item>
/// <item><c>docstring</c> (Codex-D): prompt = <see cref="DocstringLayout.Input"/> of the code without its docstring
/// plus the solution; target = <see cref="DocstringLayout.Target"/> of the docstring (sampling stops at its closing quotes).</item>
/// </list>
/// Prompt and target are tokenized apart, as sampling and <c>rank</c> see them. An example longer than the context
/// loses the start of its prompt; one whose target alone fills the context is dropped and counted.
/// </summary>
public sealed class FinetuneExamples
{
    private FinetuneExamples(string sha256, int total, IReadOnlyList<FinetuneExample> train, IReadOnlyList<FinetuneExample> validation, int truncated, int dropped)
    {
        Sha256 = sha256;
        Total = total;
        Train = train;
        Validation = validation;
        TruncatedPrompts = truncated;
        DroppedTooLong = dropped;
    }

    /// <summary>SHA-256 of the problems file.</summary>
    public string Sha256 { get; }

    /// <summary>Problems in the file.</summary>
    public int Total { get; }

    public IReadOnlyList<FinetuneExample> Train { get; }

    public IReadOnlyList<FinetuneExample> Validation { get; }

    /// <summary>Examples kept with the start of their prompt cut to fit the context.</summary>
    public int TruncatedPrompts { get; }

    /// <summary>Examples left out because their target alone does not fit the context.</summary>
    public int DroppedTooLong { get; }

    /// <summary>Reads, checks and tokenizes <paramref name="path"/>.</summary>
    /// <param name="context">The model's context: an example's inputs (all its tokens but the last) must fit it.</param>
    /// <exception cref="UserInputException">A row lacks a HumanEval field, repeats a task id, or its solution does not parse.</exception>
    public static FinetuneExamples Load(string path, string task, CodeTokenizer tokenizer, int context, long seed, double validationFraction)
    {
        if (!File.Exists(path)) throw new UserInputException($"--data {path}: no such file");
        var set = ProblemSet.Load(path);
        var examples = new List<FinetuneExample>();
        int truncated = 0, dropped = 0;
        var docstring = task == FinetuneConfig.Docstring;
        using (var parser = FunctionExtractor.Start())
        {
            foreach (var problem in set.Problems)
            {
                var line = set.LineOf(problem.TaskId);
                var (error, field, split) = parser.CheckExample(problem.Prompt, problem.CanonicalSolution, problem.EntryPoint, docstring);
                if (error is not null) throw UserInputException.At(path, line, field, error);
                var (prompt, target) = docstring
                    ? (DocstringLayout.Input(split!.Value.Before + split.Value.After + problem.CanonicalSolution, problem.EntryPoint),
                        tokenizer.Encode(DocstringLayout.Target(split.Value.Docstring)).ToArray())
                    : (problem.Prompt, [.. tokenizer.Encode(problem.CanonicalSolution), tokenizer.EndOfText]);
                var promptTokens = tokenizer.Encode(prompt).ToArray();
                if (promptTokens.Length == 0) promptTokens = [tokenizer.EndOfText];
                // The inputs are every token but the last, so an example of context + 1 tokens fits; at least one prompt token stays.
                if (target.Length >= context + 1)
                {
                    dropped++;
                    continue;
                }
                var room = context + 1 - target.Length;
                if (promptTokens.Length > room)
                {
                    promptTokens = promptTokens[^room..];
                    truncated++;
                }
                examples.Add(new FinetuneExample(problem.TaskId, promptTokens, target));
            }
        }
        if (examples.Count == 0) throw new UserInputException($"--data {path}: no example fits the model's context of {context} tokens");
        var (train, validation) = Split(examples, seed, validationFraction);
        if (train.Count == 0) throw new UserInputException($"--val-fraction {validationFraction}: leaves no example of the {examples.Count} in {path} for training");
        return new FinetuneExamples(set.Sha256, set.Count, train, validation, truncated, dropped);
    }

    /// <summary>
    /// Holds out round(fraction × n) examples (at least one when the fraction is above 0 and there are two or more):
    /// those whose task ids hash lowest under the seed, so the split depends on the seed and the set, not the file order.
    /// </summary>
    internal static (List<FinetuneExample> Train, List<FinetuneExample> Validation) Split(IReadOnlyList<FinetuneExample> examples, long seed, double fraction)
    {
        var held = fraction <= 0 ? 0 : Math.Max(examples.Count >= 2 ? 1 : 0, (int)Math.Round(fraction * examples.Count));
        var chosen = examples.OrderBy(e => Hash(seed, e.TaskId)).ThenBy(e => e.TaskId, StringComparer.Ordinal).Take(held)
            .Select(e => e.TaskId).ToHashSet(StringComparer.Ordinal);
        return (examples.Where(e => !chosen.Contains(e.TaskId)).ToList(), examples.Where(e => chosen.Contains(e.TaskId)).ToList());
    }

    private static ulong Hash(long seed, string taskId)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(taskId));
        return BlockSampler.Mix((ulong)seed, BitConverter.ToUInt64(bytes, 0));
    }
}
