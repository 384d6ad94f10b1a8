using System.Text.Json.Nodes;
using CodexSharp.Core.Execution;
using CodexSharp.Core.Io;
using CodexSharp.Core.Problems;
using CodexSharp.Execution;
using CodexSharp.Testing;
using CodexSharp.Training.Functions;

namespace CodexSharp.Training.Tests;

public sealed class FunctionsTests : IAsyncLifetime, IDisposable
{
    private PythonProgramRunner _runner = null!;
    private readonly TempDir _dir = new();

    public async Task InitializeAsync() => _runner = await PythonProgramRunner.StartAsync(new PythonRunnerOptions { Workers = 2 });

    public async Task DisposeAsync() => await _runner.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    private static JsonObject MbppRow(int id, string text, string code, params string[] tests) => new()
    {
        ["text"] = text, ["code"] = code, ["task_id"] = id, ["test_setup_code"] = "", ["test_list"] = new JsonArray(tests.Select(t => (JsonNode)t).ToArray()),
        ["challenge_test_list"] = new JsonArray(),
    };

    [Fact]
    public async Task Mbpp_train_and_validation_problems_become_humaneval_problems_whose_reference_passes_in_the_sandbox()
    {
        var mbpp = Fixtures.WriteJsonl(_dir.File("mbpp.jsonl"),
        [
            MbppRow(11, "A test-split problem.", "def f(x):\r\n  return x", "assert f(1) == 1"),
            MbppRow(520, "Write a function to add two numbers.", "import math\r\ndef helper(a):\r\n\treturn a\r\ndef add_nums(a, b):\r\n\treturn helper(a) + b",
                "assert add_nums(1, 2) == 3", "assert add_nums(0, 0) == 0", "assert math.isclose(add_nums(0.5, 0.25), 0.75)"),
            MbppRow(700, "Write a function whose reference is wrong.", "def wrong(x):\r\n    return x + 1", "assert wrong(1) == 1"),
        ]);
        var output = _dir.File("functions.jsonl");
        var manifest = await new FunctionsBuilder(new FunctionsOptions { Sources = [mbpp], Output = output }, _runner).BuildAsync();

        var problems = ProblemSet.Load(output);
        var problem = Assert.Single(problems.Problems);
        Assert.Equal("MBPP-validation/520", problem.TaskId);
        Assert.Equal("add_nums", problem.EntryPoint);
        Assert.Contains("\"\"\"Write a function to add two numbers.", problem.Prompt, StringComparison.Ordinal);
        Assert.EndsWith("def add_nums(a, b):\n    \"\"\"Write a function to add two numbers.\n    \"\"\"\n", problem.Prompt, StringComparison.Ordinal);
        Assert.Equal("    return helper(a) + b\n", problem.CanonicalSolution);
        // The converted reference passes its own test, and a wrong body fails it: the test really tests.
        Assert.True((await _runner.RunAsync(new ExecutionRequest(problem.CanonicalProgram, TimeSpan.FromSeconds(5)))).Passed);
        Assert.False((await _runner.RunAsync(new ExecutionRequest(problem.ProgramFor("    return a - b\n"), TimeSpan.FromSeconds(5)))).Passed);

        Assert.Equal(1, (int)manifest["dropped"]!["failed"]!);
        var source = manifest["sources"]![0]!;
        Assert.Equal(1, (int)source["skipped_test_split"]!);
        Assert.Equal(1, (int)manifest["by_kind"]!["mbpp-validation"]!);
        Assert.True(File.Exists(FunctionsBuilder.ManifestPath(output)));
    }

    [Fact]
    public async Task Doctest_tracing_keeps_a_passing_standalone_function_and_drops_failing_and_dependent_ones()
    {
        var folder = Directory.CreateDirectory(_dir.File("src")).FullName;
        File.WriteAllText(Path.Combine(folder, "geometry.py"), """"
            import math
            import os
            from .sibling import helper

            SCALE = 3


            def hypotenuse(a, b):
                """Length of the long side.

                >>> hypotenuse(3, 4)
                5.0
                """
                return math.sqrt(a * a + b * b)


            def wrong_example(n):
                """
                >>> wrong_example(2)
                5
                """
                return n * 2


            def uses_module_state(n):
                """
                >>> uses_module_state(1)
                3
                """
                return n * SCALE


            def uses_relative_import(n):
                """
                >>> uses_relative_import(1)
                1
                """
                return helper(n)


            def no_examples(n):
                """Just prose."""
                return n
            """");
        var output = _dir.File("traced.jsonl");
        var manifest = await new FunctionsBuilder(new FunctionsOptions { Sources = [folder], Output = output }, _runner).BuildAsync();

        var problem = Assert.Single(ProblemSet.Load(output).Problems);
        Assert.Equal("Traced/geometry.py:hypotenuse", problem.TaskId);
        Assert.StartsWith("import math\n\n\ndef hypotenuse(a, b):\n", problem.Prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("import os", problem.Prompt, StringComparison.Ordinal);
        Assert.Equal("    return math.sqrt(a * a + b * b)\n", problem.CanonicalSolution);
        // The doctest check fails a wrong body.
        Assert.False((await _runner.RunAsync(new ExecutionRequest(problem.ProgramFor("    return a + b\n"), TimeSpan.FromSeconds(5)))).Passed);
        Assert.Equal(1, (int)manifest["dropped"]!["failed"]!);
        Assert.Equal(2, (int)manifest["dropped"]!["not_standalone"]!);
    }

    [Fact]
    public async Task A_reference_that_passes_once_and_then_fails_is_dropped_as_nondeterministic()
    {
        var folder = Directory.CreateDirectory(_dir.File("flaky")).FullName;
        File.WriteAllText(Path.Combine(folder, "coin.py"), """"
            def coin():
                """
                >>> coin()
                0
                """
                return 0
            """");
        await using var flipping = new SecondRunFails(_runner);
        var output = _dir.File("flaky.jsonl");
        var manifest = await new FunctionsBuilder(new FunctionsOptions { Sources = [folder], Output = output }, flipping).BuildAsync();

        Assert.Equal(1, (int)manifest["dropped"]!["nondeterministic"]!);
        Assert.Equal(0, (int)manifest["problems"]!);
        Assert.Equal(2, flipping.Runs);
    }

    [Fact]
    public async Task A_problem_holding_benchmark_text_is_dropped_as_contaminated()
    {
        var mbpp = Fixtures.WriteJsonl(_dir.File("mbpp.jsonl"),
            [MbppRow(650, "Write a function to double a number.", "def double(x):\r\n    return x * 2", "assert double(2) == 4")]);
        var output = _dir.File("clean.jsonl");
        var manifest = await new FunctionsBuilder(new FunctionsOptions
        {
            Sources = [mbpp], Output = output, IsContaminated = text => text.Contains("return x * 2", StringComparison.Ordinal),
        }, _runner).BuildAsync();

        Assert.Equal(1, (int)manifest["dropped"]!["contaminated"]!);
        Assert.Empty(JsonlFile.Read(output));
    }

    /// <summary>The real sandbox, except that every program's second run is made to fail.</summary>
    private sealed class SecondRunFails(IProgramRunner inner) : IProgramRunner
    {
        private int _runs;

        public int Runs => _runs;

        public Task<ExecutionResult> RunAsync(ExecutionRequest request, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _runs) == 2
                ? inner.RunAsync(request with { Program = request.Program + "\nraise AssertionError('second run')\n" }, cancellationToken)
                : inner.RunAsync(request, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public void A_docstring_is_split_from_a_prompt_whose_body_is_indented_by_two_spaces()
    {
        using var extractor = FunctionExtractor.Start();
        const string prompt = "def helper(x):\n    return x\ndef count(items):\n  \"\"\"Count the items.\n  \"\"\"\n";
        var split = extractor.SplitDocstring(prompt, "count", out var error);
        Assert.True(split is not null, error);
        Assert.Equal("Count the items.\n  ", split.Value.Docstring);
        Assert.Equal("def helper(x):\n    return x\ndef count(items):\n", split.Value.Before);
        Assert.Null(extractor.SplitDocstring("def count(items):\n  return 1 +\n", "count", out error));
        Assert.Equal("the prompt does not parse", error);
    }
}
