using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>The shipped models exported to GGUF by `model export`, shared by the tests of one class.</summary>
public sealed class ShippedGgufFiles : IAsyncLifetime, IDisposable
{
    private readonly TempDir dir = new();

    public string Solve => dir.File("codexsharp-7m.gguf");

    public string Docstring => dir.File("codexsharp-7m-docstring.gguf");

    public async Task InitializeAsync()
    {
        var solve = await CodexSharpProcess.RunAsync("model", "export", "default", "--format", "gguf", "--out", Solve);
        Assert.True(solve.ExitCode == 0, solve.ToString());
        Assert.Contains("frequent-token head built into the output matrix", solve.StandardOutput);
        var docstring = await CodexSharpProcess.RunAsync("model", "export", "default-docstring", "--format", "gguf", "--out", Docstring, "--dtype", "q8_0");
        Assert.True(docstring.ExitCode == 0, docstring.ToString());
    }

    public Task DisposeAsync()
    {
        dir.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => dir.Dispose();
}

/// <summary>`model export --format gguf` and `gguf:PATH` models through the real command.</summary>
public sealed class GgufCommandTests(ShippedGgufFiles files) : IClassFixture<ShippedGgufFiles>, IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Run_samples_evaluates_and_reports_a_gguf_model_and_rank_backtranslates_with_one()
    {
        var samples = dir.File("s.jsonl");
        var run = await CodexSharpProcess.RunAsync(["run", "--model", "gguf:" + files.Solve, "--problems", TestPaths.HumanEval, "--limit", "2", "--n", "3",
            "--seed", "5", "--threads", "1", "-o", samples], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = File.ReadAllLines(samples).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.NotNull(r["mean_logprob"]));
        Assert.True(File.Exists(samples + "_results.jsonl"));
        Assert.True(File.Exists(Path.Combine(samples + "_report", "report.html")));
        var record = JsonNode.Parse(File.ReadAllText(dir.File("s.config.json")))!.ToJsonString();
        Assert.Contains("\"threads\":1", record);

        var ranked = await CodexSharpProcess.RunAsync(["rank", samples + "_results.jsonl", "--model", "gguf:" + files.Docstring, "--method", "backtranslation",
            "--problems", TestPaths.HumanEval, "--out", dir.File("ranked.jsonl")], TimeSpan.FromMinutes(5));
        Assert.True(ranked.ExitCode == 0, ranked.ToString());
        Assert.All(File.ReadAllLines(dir.File("ranked.jsonl")), l => Assert.True(JsonNode.Parse(l)!["backtranslation_logprob"]!.GetValue<double>() < 0));
    }

    [Fact]
    public async Task Serve_answers_completions_from_a_gguf_model()
    {
        using var process = Process.Start(CodexSharpProcess.StartInfo(["serve", "--model", "gguf:" + files.Solve, "--port", "0"]))!;
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync(); // drained, so the server never blocks on a full pipe
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(line is not null && line.StartsWith("serving gguf:codexsharp-7m.gguf at ", StringComparison.Ordinal), line);
            var baseUrl = line!["serving gguf:codexsharp-7m.gguf at ".Length..].Trim();
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            var request = new JsonObject
            {
                ["model"] = "gguf:codexsharp-7m.gguf", ["prompt"] = "def add(a, b):\n", ["max_tokens"] = 8, ["n"] = 2, ["temperature"] = 0.8, ["seed"] = 1, ["logprobs"] = 1,
            };
            using var content = new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            var answer = await http.PostAsync(baseUrl + "/completions", content);
            var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
            Assert.True(answer.IsSuccessStatusCode, body.ToJsonString());
            Assert.Equal(2, body["choices"]!.AsArray().Count);
            Assert.NotEmpty(body["choices"]![0]!["logprobs"]!["token_logprobs"]!.AsArray());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await errors;
        }
    }

    [Theory]
    [InlineData("text", "not a GGUF file")]
    [InlineData("cut", "truncated")]
    public async Task A_file_that_is_not_a_whole_gguf_model_is_bad_input(string kind, string expected)
    {
        var path = dir.File("bad.gguf");
        if (kind == "text") File.WriteAllText(path, "hello\n");
        else File.WriteAllBytes(path, File.ReadAllBytes(files.Solve)[..100_000]);
        var text = dir.Write("code.py", "def f():\n    return 1\n");
        await AssertBadInput(["score", "--model", "gguf:" + path, "--text-file", text], expected);
        await AssertBadInput(["generate", "--model", "gguf:" + path, "--problems", TestPaths.HumanEval, "--limit", "1", "-o", dir.File("g.jsonl")], expected);
    }

    [Fact]
    public async Task Export_refuses_an_existing_file_without_force_and_an_unknown_dtype()
    {
        var path = dir.Write("x.gguf", "keep me");
        await AssertBadInput(["model", "export", "default", "--format", "gguf", "--out", path], "exists already; pass --force");
        Assert.Equal("keep me", File.ReadAllText(path));
        var typed = await CodexSharpProcess.RunAsync("model", "export", "default", "--format", "gguf", "--out", dir.File("y.gguf"), "--dtype", "q4_0");
        Assert.True(typed.ExitCode == 2, typed.ToString());
        Assert.Contains("q4_0", typed.StandardError);
    }

    [Fact]
    public async Task An_instruction_model_is_asked_through_its_chat_template_and_a_base_model_is_refused()
    {
        const string chatMl = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
                              + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
        var chat = dir.File("chat.gguf");
        using (var model = Model.Modeling.GptModel.CreateRandom(Model.Modeling.GptPresets.Tiny, seed: 4)) Gguf.GgufExport.Export(model, "chat", chat, "f16", chatMl);
        var problems = Fixtures.WriteJsonl(dir.File("toy.jsonl"), [Fixtures.AddProblem("Toy/0")]);
        var output = dir.File("chat.jsonl");
        var run = await CodexSharpProcess.RunAsync(["generate", "--model", "gguf-chat:" + chat, "--problems", problems, "--n", "2", "--max-tokens", "16", "--seed", "2", "-o", output],
            TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.NotNull(r["raw_completion"]));

        await AssertBadInput(["generate", "--model", "gguf-chat:" + files.Solve, "--problems", problems, "-o", dir.File("base.jsonl")], "has no chat template");
    }

    private static async Task AssertBadInput(string[] args, string expected)
    {
        var run = await CodexSharpProcess.RunAsync(args, TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
    }
}
