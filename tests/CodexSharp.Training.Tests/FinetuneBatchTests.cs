using System.Text.Json.Nodes;
using CodexSharp.Core.Problems;
using CodexSharp.Model.Modeling;
using CodexSharp.Model.Tokenization;
using CodexSharp.Testing;
using CodexSharp.Training.Finetuning;
using CodexSharp.Training.Training;
using static TorchSharp.torch;

namespace CodexSharp.Training.Tests;

/// <summary>Fine-tuning's batches in process: the loss sees target tokens only, padding is invisible, and the data layout is Codex-S's and Codex-D's.</summary>
public sealed class FinetuneBatchTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static readonly GptConfig Small = new() { Layers = 2, Heads = 2, Width = 32, Context = 32, VocabSize = 64 };

    /// <summary>Two examples of different prompt lengths: the batch left-pads the shorter prompt by 3.</summary>
    private static readonly FinetuneExample[] Examples =
    [
        new("t/0", [5, 6, 7, 8, 9, 10], [20, 21, 22, 63]),
        new("t/1", [11, 12, 13], [30, 31, 63]),
    ];

    private static TrainingBatch Batch(params FinetuneExample[] examples) =>
        new ExampleSampler(examples, examples, batchTokens: 1, microTokens: 4096, seed: 0, padding: 63).Validation(0);

    /// <summary>The step loss and the gradient of every parameter for <paramref name="batch"/>.</summary>
    private static (double Loss, Dictionary<string, Tensor> Gradients) LossAndGradients(GptModel model, TrainingBatch batch)
    {
        model.zero_grad();
        using var loss = TrainingLoop.Loss(model, batch, batch.CountedTokens);
        loss.backward();
        var gradients = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
        return (loss.item<float>(), gradients);
    }

    private static TrainingBatch WithTargets(TrainingBatch batch, Func<Tensor, Tensor, Tensor> change)
    {
        var targets = change(batch.Targets.clone(), batch.LossMask!);
        return new TrainingBatch(batch.Inputs.clone(), targets, batch.LossMask!.clone(), batch.Positions!.clone(), batch.AttentionMask!.clone(), batch.Tokens);
    }

    [Fact]
    public void Loss_and_gradients_ignore_prompt_targets_but_not_solution_targets()
    {
        using var model = GptModel.CreateRandom(Small, 3);
        using var batch = Batch(Examples);
        // Rows in prompt-length order: row 0 (t/1) is left-padded by 3 so both targets start in column 6; the mask is
        // 1 from column 5 (predicting column 6) for each target token.
        Assert.Equal(new long[] { 2, 9 }, batch.Inputs.shape);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 0, /* row 1 */ 0, 0, 0, 0, 0, 1, 1, 1, 1], batch.LossMask!.data<float>().ToArray());
        Assert.Equal([0, 0, 0, 0, 1, 2, 3, 4, 4, /* row 1 */ 0, 1, 2, 3, 4, 5, 6, 7, 8], batch.Positions!.data<long>().ToArray());
        Assert.Equal(7, batch.CountedTokens);

        var (loss, gradients) = LossAndGradients(model, batch);
        // Every target outside the mask (prompt tokens and padding) changed to another id: nothing moves.
        using var promptChanged = WithTargets(batch, (targets, mask) => targets.where(mask.gt(0), (targets + 1) % 64));
        var (samePromptLoss, samePromptGradients) = LossAndGradients(model, promptChanged);
        Assert.Equal(loss, samePromptLoss, 6);
        foreach (var (name, gradient) in gradients) Assert.True(gradient.allclose(samePromptGradients[name], rtol: 1e-5, atol: 1e-7), name);

        // One solution token changed: the loss and the gradients move.
        using var solutionChanged = WithTargets(batch, (targets, _) =>
        {
            targets[0, 6] = tensor(40L);
            return targets;
        });
        var (otherLoss, otherGradients) = LossAndGradients(model, solutionChanged);
        Assert.True(Math.Abs(otherLoss - loss) > 1e-4, $"{otherLoss} vs {loss}");
        Assert.False(gradients["transformer.wte.weight"].allclose(otherGradients["transformer.wte.weight"], rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void A_left_padded_row_computes_what_its_example_would_alone()
    {
        using var model = GptModel.CreateRandom(Small, 4);
        model.eval();
        using var noGrad = no_grad();
        using var both = Batch(Examples);
        using var first = Batch(Examples[0]);
        using var second = Batch(Examples[1]);
        using var together = TrainingLoop.Loss(model, both, 1.0); // Σ CE over both rows' targets
        using var alone0 = TrainingLoop.Loss(model, first, 1.0);
        using var alone1 = TrainingLoop.Loss(model, second, 1.0);
        Assert.Equal(alone0.item<float>() + alone1.item<float>(), together.item<float>(), 4);
        Assert.Equal(Examples.Sum(e => e.Length - 1), both.Tokens);
    }

    [Fact]
    public void A_step_takes_whole_examples_up_to_its_token_budget_in_a_seeded_order()
    {
        var examples = Enumerable.Range(0, 10).Select(i => new FinetuneExample($"t/{i}", [1, 2, 3], [4, 5])).ToList();
        var sampler = new ExampleSampler(examples, [], batchTokens: 12, microTokens: 4096, seed: 7, padding: 63);
        var again = new ExampleSampler(examples, [], batchTokens: 12, microTokens: 4096, seed: 7, padding: 63);
        // 5 tokens an example: three reach 12. Ten steps read three epochs, each a permutation.
        var steps = Enumerable.Range(1, 10).Select(s => sampler.StepExamples(s).Select(e => e.TaskId).ToList()).ToList();
        Assert.All(steps, s => Assert.Equal(3, s.Count));
        var stream = steps.SelectMany(s => s).ToList();
        Assert.Equal(examples.Select(e => e.TaskId).Order(), stream.Take(10).Order());
        Assert.Equal(examples.Select(e => e.TaskId).Order(), stream.Skip(10).Take(10).Order());
        Assert.NotEqual(stream.Take(10), stream.Skip(10).Take(10));
        // A step is found from the seed and the step alone (a resumed run asks for step 9 first).
        Assert.Equal(steps[8], again.StepExamples(9).Select(e => e.TaskId));
    }

    [Fact]
    public void Codex_s_and_codex_d_examples_have_the_papers_layout()
    {
        var problem = new JsonObject
        {
            ["task_id"] = "t/0", ["prompt"] = "import math\n\n\ndef area(r):\n    \"\"\"Area of a circle of radius r.\n\n    >>> round(area(1), 2)\n    3.14\n    \"\"\"\n",
            ["canonical_solution"] = "    return math.pi * r * r\n", ["test"] = "def check(c):\n    assert c(1) > 3\n", ["entry_point"] = "area",
        };
        var path = Fixtures.WriteJsonl(dir.File("problems.jsonl"), [problem]);
        var tokenizer = CodeTokenizer.CreateP50kBase();
        string Text(int[] ids) => tokenizer.Decode(ids.Where(i => i != tokenizer.EndOfText).ToList());

        var solve = FinetuneExamples.Load(path, FinetuneConfig.Solve, tokenizer, 256, 0, 0).Train.Single();
        Assert.Equal((string)problem["prompt"]!, Text(solve.Prompt));
        Assert.Equal((string)problem["canonical_solution"]!, Text(solve.Target));
        Assert.Equal(tokenizer.EndOfText, solve.Target[^1]);

        var docstring = FinetuneExamples.Load(path, FinetuneConfig.Docstring, tokenizer, 256, 0, 0).Train.Single();
        Assert.Equal("import math\n\n\ndef area(r):\n    return math.pi * r * r\n\n\n# The docstring of area:\n\"\"\"", Text(docstring.Prompt));
        Assert.Equal(DocstringLayout.Input("import math\n\n\ndef area(r):\n    return math.pi * r * r\n", "area"), Text(docstring.Prompt));
        Assert.Equal("Area of a circle of radius r.\n\n    >>> round(area(1), 2)\n    3.14\n\"\"\"", Text(docstring.Target));
        Assert.DoesNotContain(tokenizer.EndOfText, docstring.Target);

        // Too long for a context of 16: the prompt loses its start; a target longer than the context is dropped.
        var cut = FinetuneExamples.Load(path, FinetuneConfig.Solve, tokenizer, 16, 0, 0);
        Assert.Equal(1, cut.TruncatedPrompts);
        Assert.Equal(17, cut.Train.Single().Length);
        Assert.Equal(solve.Prompt[^(17 - solve.Target.Length)..], cut.Train.Single().Prompt);
        var dropped = Assert.Throws<CodexSharp.Core.UserInputException>(() => FinetuneExamples.Load(path, FinetuneConfig.Docstring, tokenizer, 16, 0, 0));
        Assert.Contains("no example fits the model's context of 16 tokens", dropped.Message);
    }
}
