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
    [InlineData("--k", "1,,2", "--k: '1,,2' has an empty item")]
    [InlineData("--k", "1,10,", "--k: '1,10,' has an empty item")]
    [InlineData("--workers", "0", "--workers: expected 1 to ")]
    [InlineData("--workers", "100000", "--workers: expected 1 to ")]
    [InlineData("--timeout", "-1", "--timeout: expected more than 0 and at most 3600 seconds")]
    [InlineData("--timeout", "1e9", "--timeout: expected more than 0 and at most 3600 seconds")]
    [InlineData("--timeout", "1e300", "--timeout: expected more than 0 and at most 3600 seconds")]
    [InlineData("--memory-mb", "1", "--memory-mb: expected at least 64")]
    [InlineData("--dataset", "nosuch", "no benchmark called 'nosuch'")]
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

    [Theory]
    [InlineData("evaluate --no-such-flag", "--no-such-flag")]
    [InlineData("evaluate s.jsonl --k", "--k")]
    [InlineData("evaluate s.jsonl --workers abc", "abc")]
    [InlineData("evaluate s.jsonl --timeout soon", "soon")]
    [InlineData("generate --n abc", "abc")]
    [InlineData("datasets add", "name")]
    [InlineData("no-such-command", "no-such-command")]
    public async Task Command_line_parse_errors_exit_2_for_every_command(string line, string named)
    {
        var run = await CodexSharpProcess.RunAsync(line.Split(' '), workingDirectory: _dir.Path);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.StandardError);
        Assert.Contains(named, run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
    }

    [Fact]
    public async Task Flags_are_checked_before_a_data_set_is_downloaded()
    {
        var samples = Fixtures.WriteJsonl(_dir.File("ok.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n")]);
        var offline = new Dictionary<string, string?> { ["CODEXSHARP_CACHE_DIR"] = _dir.File("cache"), ["CODEXSHARP_DATASET_MIRROR"] = "http://127.0.0.1:9/" };
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--dataset", "humaneval", "--timeout", "1e9"], environment: offline);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--timeout: expected more than 0 and at most 3600 seconds", run.StandardError);
        Assert.DoesNotContain("downloading", run.All);
    }

    [Fact]
    public async Task A_folder_given_as_the_samples_file_is_named_a_folder_not_permission_denied()
    {
        await AssertBadInput(["evaluate", _dir.Path, "--problems", _problems], "is a folder");
        var samples = Fixtures.WriteJsonl(_dir.File("ok.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n")]);
        await AssertBadInput(["evaluate", samples, "--problems", _dir.Path], "is a folder");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(2000)]
    public async Task A_truncated_gzip_samples_file_exits_2_naming_the_file(int cutBytes)
    {
        var rows = string.Concat(Enumerable.Range(0, 2000).Select(i => Fixtures.Sample("Toy/0", $"    return a + b  # {i}\n").ToJsonString() + "\n"));
        var memory = new MemoryStream();
        using (var zip = new System.IO.Compression.GZipStream(memory, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            zip.Write(System.Text.Encoding.UTF8.GetBytes(rows));
        var whole = memory.ToArray();
        var samples = _dir.File("cut.jsonl.gz");
        File.WriteAllBytes(samples, whole[..^Math.Min(cutBytes, whole.Length / 2)]);
        await AssertBadInput(["evaluate", samples, "--problems", _problems, "--k", "1"], "cut.jsonl.gz: the gzip data is damaged or incomplete");
        Assert.False(File.Exists(samples + "_results.jsonl"));
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
