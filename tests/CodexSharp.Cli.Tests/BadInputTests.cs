using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>Every user mistake gets a message naming what is wrong and exit code 2 — never a stack trace.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _problems;

    public BadInputTests()
    {
        _problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0")]);
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("{\"task_id\":\"Toy/0\",\"completion\":\"x\"}\n{not json\n", ":2: not valid JSON")]
    [InlineData("{\"task_id\":\"Toy/0\"}\n", ":1: field 'completion': missing")]
    [InlineData("{\"completion\":\"x\"}\n", ":1: field 'task_id': missing")]
    [InlineData("\n\n", "holds no samples")]
    [InlineData("this is not jsonl\n", ":1: not valid JSON")]
    [InlineData("{\"task_id\":\"Other/1\",\"completion\":\"x\"}\n", "no sample answers a task of")]
    public async Task Bad_samples_files_exit_2_with_a_clear_message(string content, string expected)
    {
        var samples = _dir.Write("samples.jsonl", content);
        await AssertBadInput(["evaluate", samples, "--problems", _problems], expected);
    }

    [Fact]
    public async Task Non_utf8_bytes_name_the_line()
    {
        var samples = _dir.File("latin1.jsonl");
        File.WriteAllBytes(samples, [.. "{\"task_id\":\"Toy/0\",\"completion\":\"caf"u8, 0xE9, .. "\"}\n"u8]);
        await AssertBadInput(["evaluate", samples, "--problems", _problems], ":1: the bytes are not valid UTF-8");
    }

    [Theory]
    [InlineData("--k", "1,x", "--k: 'x' is not a positive integer")]
    [InlineData("--workers", "0", "--workers: expected 1 or more")]
    [InlineData("--timeout", "-1", "--timeout: expected a positive number")]
    [InlineData("--dataset", "nosuch", "no data set called 'nosuch'")]
    public async Task Bad_flags_exit_2(string flag, string value, string expected)
    {
        var samples = Fixtures.WriteJsonl(_dir.File("ok.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n")]);
        string[] args = flag == "--dataset" ? ["evaluate", samples, flag, value] : ["evaluate", samples, "--problems", _problems, flag, value];
        await AssertBadInput(args, expected);
    }

    [Fact]
    public async Task Missing_files_exit_2()
    {
        await AssertBadInput(["evaluate", _dir.File("none.jsonl"), "--problems", _problems], "none.jsonl: no such file");
        var samples = Fixtures.WriteJsonl(_dir.File("ok.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n")]);
        await AssertBadInput(["evaluate", samples, "--problems", _dir.File("nope.jsonl")], "nope.jsonl: no such file");
    }

    [Fact]
    public async Task Unknown_option_exits_2()
    {
        var run = await CodexSharpProcess.RunAsync("evaluate", "--no-such-flag");
        Assert.NotEqual(0, run.ExitCode);
        Assert.DoesNotContain("   at ", run.All);
    }

    [Fact]
    public async Task A_ten_megabyte_completion_is_evaluated_not_rejected()
    {
        var huge = "    return a + b\n" + "# " + new string('x', 10 << 20) + "\n";
        var samples = Fixtures.WriteJsonl(_dir.File("huge.jsonl"), [Fixtures.Sample("Toy/0", huge)]);
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", _problems, "--k", "1"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("1 passed", run.StandardOutput);
    }

    [Fact]
    public async Task Unknown_task_id_warns_and_strict_makes_it_an_error()
    {
        var samples = Fixtures.WriteJsonl(_dir.File("mixed.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n"), Fixtures.Sample("Ghost/1", "x")]);
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", _problems, "--k", "1"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("'Ghost/1' is not a task of", run.All);
        await AssertBadInput(["evaluate", samples, "--problems", _problems, "--strict"], "'Ghost/1' is not a task of");
    }

    private static async Task AssertBadInput(string[] args, string expected)
    {
        var run = await CodexSharpProcess.RunAsync(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
        Assert.DoesNotContain("Exception", run.All);
    }
}
