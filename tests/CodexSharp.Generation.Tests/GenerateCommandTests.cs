using CodexSharp.Generation.Running;
using CodexSharp.Generation.Tests.Fixtures;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests;

/// <summary><c>codexsharp generate</c> as a child process against a real loopback server that misbehaves on purpose.</summary>
public sealed class GenerateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-generate-").FullName;
    private readonly string[] _taskIds = TinyProblems.Tasks().Select(t => t.TaskId).ToArray();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "samples.jsonl");

    private static void NoStackTrace(CodexSharp.Testing.ProcessOutcome outcome) => Assert.DoesNotContain("   at ", outcome.All);

    [Fact]
    public async Task Writes_n_samples_per_task_and_a_sidecar_without_the_key()
    {
        const string key = "sk-test-4f1b2c3d";
        await using var server = await ScriptedModelServer.StartAsync(requiredKey: key);
        var args = GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 3, "--samples-per-request", "2", "--seed", "5");
        var outcome = await GenerateProcess.RunAsync(args, new Dictionary<string, string?> { ["OPENAI_API_KEY"] = key });
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        SamplesFileAssert.ExactlyNPerTask(Out, _taskIds, 3);
        var meta = GenerationRecord.Read(Out)!;
        Assert.Equal("completed", meta["status"]!.GetValue<string>());
        Assert.Equal(0.2, meta["temperature"]!.GetValue<double>());
        Assert.Equal("OPENAI_API_KEY", meta["backend_options"]!["api_key_env"]!.GetValue<string>());
        Assert.DoesNotContain(key, File.ReadAllText(Out));
        Assert.DoesNotContain(key, File.ReadAllText(GenerationRecord.PathFor(Out)));
        Assert.DoesNotContain(key, outcome.All);
        Assert.All(SamplesFileAssert.Rows(Out), r => Assert.DoesNotContain("def unrelated", r["completion"]!.GetValue<string>()));

        var again = await GenerateProcess.RunAsync(args, new Dictionary<string, string?> { ["OPENAI_API_KEY"] = key });
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 new, 9 already there", again.StandardOutput);
        SamplesFileAssert.ExactlyNPerTask(Out, _taskIds, 3);
    }

    [Fact]
    public async Task Killed_mid_run_with_sigkill_then_rerun_gives_exactly_n_per_task()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        // Two requests are answered, then the server stops answering: the kill is certain to land mid-run.
        for (var i = 0; i < 2; i++) server.Faults.Enqueue(Fault.Slow);
        server.SlowDelay = TimeSpan.Zero;
        for (var i = 0; i < 20; i++) server.Faults.Enqueue(Fault.Hang);
        var args = GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 4, "--samples-per-request", "1", "--concurrency", "1");
        Assert.True(await GenerateProcess.KillAfterRowsAsync(args, Out, 2));
        Assert.Equal(2, SamplesFileAssert.Rows(Out).Count);

        server.Faults.Clear();
        var outcome = await GenerateProcess.RunAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        SamplesFileAssert.ExactlyNPerTask(Out, _taskIds, 4);
    }

    [Fact]
    public async Task A_torn_last_line_from_a_crash_is_repaired_on_rerun()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        var args = GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 2);
        Assert.Equal(0, (await GenerateProcess.RunAsync(args)).ExitCode);
        var lines = File.ReadAllLines(Out);
        File.WriteAllText(Out, string.Join("\n", lines[..^1]) + "\n" + lines[^1][..20]);
        var outcome = await GenerateProcess.RunAsync(args);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("removed an incomplete last line", outcome.All);
        SamplesFileAssert.ExactlyNPerTask(Out, _taskIds, 2);
    }

    [Fact]
    public async Task A_server_that_dies_mid_run_fails_clearly_keeps_samples_and_resumes()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.SlowDelay = TimeSpan.Zero);
        // Two requests are answered; from then on every connection is cut before an answer, as by a crashed server.
        for (var i = 0; i < 2; i++) server.Faults.Enqueue(Fault.Slow);
        for (var i = 0; i < 50; i++) server.Faults.Enqueue(Fault.DropConnection);
        var args = GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 3, "--samples-per-request", "1", "--concurrency", "1", "--retries", "2");
        var outcome = await GenerateProcess.RunAsync(args);
        Assert.Equal(1, outcome.ExitCode);
        NoStackTrace(outcome);
        Assert.True(outcome.StandardError.Contains("closed the connection before answering"), outcome.ToString());
        Assert.Contains("gave up after 3 attempts", outcome.StandardError);
        Assert.Contains("run the same command again to continue", outcome.StandardError);
        Assert.Equal(2, SamplesFileAssert.Rows(Out).Count);
        Assert.Equal("failed", GenerationRecord.Read(Out)!["status"]!.GetValue<string>());

        server.Faults.Clear();
        var resumed = await GenerateProcess.RunAsync(args);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        SamplesFileAssert.ExactlyNPerTask(Out, _taskIds, 3);
    }

    [Fact]
    public async Task Malformed_json_fails_the_run_with_the_server_reply_quoted()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        for (var i = 0; i < 10; i++) server.Faults.Enqueue(Fault.MalformedJson);
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 1, "--retries", "1"));
        Assert.Equal(1, outcome.ExitCode);
        NoStackTrace(outcome);
        Assert.Contains("not valid JSON", outcome.StandardError);
        Assert.Contains("gave up after 2 attempts", outcome.StandardError);
    }

    [Fact]
    public async Task User_mistakes_exit_2_with_a_message()
    {
        await using var server = await ScriptedModelServer.StartAsync(requiredKey: "sk-right");
        var wrongModel = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:gpt-5@{server.BaseUrl}", Out, 1), new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-right" });
        Assert.Equal(2, wrongModel.ExitCode);
        Assert.Contains("does not serve a model called 'gpt-5'", wrongModel.StandardError);

        var wrongKey = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 1), new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-wrong" });
        Assert.Equal(2, wrongKey.ExitCode);
        Assert.Contains("API key was refused", wrongKey.StandardError);
        Assert.DoesNotContain("sk-wrong", wrongKey.All);

        var badSpec = await GenerateProcess.RunAsync(GenerateProcess.Args("gpt-5", Out, 1));
        Assert.Equal(2, badSpec.ExitCode);
        Assert.Contains("expected openai:MODEL@URL", badSpec.StandardError);
        foreach (var outcome in (CodexSharp.Testing.ProcessOutcome[])[wrongModel, wrongKey, badSpec]) NoStackTrace(outcome);
    }

    [Fact]
    public async Task An_unreachable_server_exits_1_saying_so()
    {
        var port = FreePort();
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:m@http://127.0.0.1:{port}/v1", Out, 1, "--retries", "1"));
        Assert.Equal(1, outcome.ExitCode);
        NoStackTrace(outcome);
        Assert.Contains("connection refused", outcome.StandardError);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
