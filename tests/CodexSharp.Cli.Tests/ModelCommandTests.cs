using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>A tiny checkpoint written by `codexsharp model init`, shared by the tests of one class.</summary>
public sealed class TinyCheckpoint : IAsyncLifetime
{
    private readonly string root = System.IO.Directory.CreateTempSubdirectory("codexsharp-tiny-").FullName;

    public string Directory => Path.Combine(root, "tiny");

    public async Task InitializeAsync()
    {
        var run = await CodexSharpProcess.RunAsync("model", "init", "--preset", "tiny", "--out", Directory, "--seed", "3");
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(root, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>`model init`, `score` and `serve` through the real command: user mistakes get one line and exit code 2.</summary>
public sealed class ModelCommandTests(TinyCheckpoint checkpoint) : IClassFixture<TinyCheckpoint>, IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Model_init_refuses_to_overwrite_a_checkpoint_without_force()
    {
        var output = dir.File("m");
        Assert.Equal(0, (await CodexSharpProcess.RunAsync("model", "init", "--out", output)).ExitCode);
        var written = File.GetLastWriteTimeUtc(Path.Combine(output, "model.safetensors"));
        await AssertBadInput(["model", "init", "--out", output, "--seed", "1"], "holds a checkpoint already (config.json, model.safetensors); pass --force");
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(output, "model.safetensors")));
        var forced = await CodexSharpProcess.RunAsync("model", "init", "--out", output, "--seed", "1", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
    }

    [Fact]
    public async Task Model_init_into_an_unwritable_directory_says_so()
    {
        // /sys refuses new entries even to root.
        await AssertBadInput(["model", "init", "--out", "/sys/codexsharp-test/tiny"], "--out /sys/codexsharp-test/tiny: cannot write the checkpoint there");
    }

    [Fact]
    public async Task Model_convert_halves_the_weights_and_scores_within_a_hundredth_of_a_nat()
    {
        var half = dir.File("half");
        var run = await CodexSharpProcess.RunAsync("model", "convert", "local:" + checkpoint.Directory, "--out", half, "--dtype", "f16");
        Assert.True(run.ExitCode == 0, run.ToString());
        var full = new FileInfo(Path.Combine(checkpoint.Directory, "model.safetensors")).Length;
        var halved = new FileInfo(Path.Combine(half, "model.safetensors")).Length;
        Assert.InRange(halved, full / 2 - 4096, full / 2 + 4096);
        var text = dir.Write("code.py", "def add(a, b):\n    return a + b\n");
        async Task<double[]> Score(string model)
        {
            var scored = await CodexSharpProcess.RunAsync("score", "--model", "local:" + model, "--text-file", text, "--json");
            Assert.True(scored.ExitCode == 0, scored.ToString());
            return JsonNode.Parse(scored.StandardOutput)!["logprobs"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        }
        var (before, after) = (await Score(checkpoint.Directory), await Score(half));
        Assert.Equal(before.Length, after.Length);
        Assert.All(before.Zip(after), pair => Assert.True(Math.Abs(pair.First - pair.Second) < 0.01, $"{pair.First} against {pair.Second}"));

        await AssertBadInput(["model", "convert", "local:" + checkpoint.Directory, "--out", half, "--dtype", "bf16"], "holds a checkpoint already (model.safetensors); pass --force");
        await AssertBadInput(["model", "convert", "local:" + checkpoint.Directory, "--out", checkpoint.Directory, "--dtype", "f16", "--force"], "is the checkpoint being converted");
        await AssertBadInput(["model", "convert", "hf:" + checkpoint.Directory, "--out", dir.File("x"), "--dtype", "f16"], "expected local:DIR");
        await AssertBadInput(["model", "convert", "local:" + dir.File("missing"), "--out", dir.File("y"), "--dtype", "f16"], "checkpoint directory not found");
    }

    [Fact]
    public async Task Score_names_the_file_and_byte_offset_of_invalid_utf8()
    {
        var path = dir.File("latin1.py");
        File.WriteAllBytes(path, [.. "def cafe():\n    # caf"u8, 0xE9, .. "\n"u8]);
        await AssertBadInput(["score", "--model", "local:" + checkpoint.Directory, "--text-file", path], $"{path}: byte offset 21: the bytes are not valid UTF-8");
    }

    [Fact]
    public async Task Scoring_one_token_gives_no_mean_log_probability()
    {
        var path = dir.Write("one.py", "def");
        var json = await CodexSharpProcess.RunAsync("score", "--model", "local:" + checkpoint.Directory, "--text-file", path, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var body = JsonNode.Parse(json.StandardOutput)!;
        Assert.Single(body["tokens"]!.AsArray());
        Assert.Empty(body["logprobs"]!.AsArray());
        Assert.Null(body["mean_logprob"]);
        var text = await CodexSharpProcess.RunAsync("score", "--model", "local:" + checkpoint.Directory, "--text-file", path);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("1 token, no log-probability", text.StandardOutput);
        Assert.DoesNotContain("mean log p 0", text.StandardOutput);
    }

    [Fact]
    public async Task Serve_on_a_busy_port_says_so()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await AssertBadInput(["serve", "--model", "local:" + checkpoint.Directory, "--port", port.ToString()], $"--host 127.0.0.1 --port {port}: cannot listen there");
    }

    [Theory]
    [InlineData("--port", "70000", "--port 70000: expected 0 to 65535")]
    [InlineData("--port", "-1", "--port -1: expected 0 to 65535")]
    [InlineData("--host", "not a host", "--host 'not a host': expected an IP address")]
    [InlineData("--host", "10.0.0.999", "--host '10.0.0.999': expected an IP address")]
    [InlineData("--max-queued-tokens", "0", "--max-queued-tokens 0: expected 1 or more")]
    public async Task Serve_with_a_bad_address_or_limit_says_so(string flag, string value, string expected)
    {
        string[] port = flag == "--port" ? [] : ["--port", "0"];
        await AssertBadInput(["serve", "--model", "local:" + checkpoint.Directory, .. port, flag, value], expected);
    }

    [Fact]
    public async Task Serve_on_an_address_of_no_interface_here_says_so()
    {
        // TEST-NET-1 (RFC 5737) is never assigned to this machine.
        await AssertBadInput(["serve", "--model", "local:" + checkpoint.Directory, "--host", "192.0.2.1", "--port", "0"], "--host 192.0.2.1 --port 0: cannot listen there");
    }

    private static async Task AssertBadInput(string[] args, string expected)
    {
        var run = await CodexSharpProcess.RunAsync(args, TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("error: " , run.StandardError);
        Assert.Contains(expected, run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
        Assert.DoesNotContain("Exception", run.All);
    }
}
