using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Generation.Running;
using CodexSharp.Generation.Tests.Fixtures;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests;

/// <summary>
/// <c>codexsharp generate</c> as a child process: an --out it cannot write is a one-line error before any request,
/// and the run's record <c>NAME.config.json</c> says how the samples were made and how the last run ended, even one
/// killed with SIGKILL or stopped with Ctrl-C.
/// </summary>
public sealed class OutputAndRecordTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-record-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "samples.jsonl");

    private static void NoStackTrace(ProcessOutcome outcome) => Assert.DoesNotContain("   at ", outcome.All);

    [Fact]
    public async Task A_folder_as_out_is_a_user_error_before_any_request()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", _dir, 1));
        Assert.Equal(2, outcome.ExitCode);
        NoStackTrace(outcome);
        Assert.StartsWith($"error: --out: {_dir} is a folder", outcome.StandardError);
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task An_out_that_cannot_be_created_is_a_user_error_before_any_request()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "");
        var underFile = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Path.Combine(file, "samples.jsonl"), 1));
        Assert.Equal(2, underFile.ExitCode);
        NoStackTrace(underFile);
        Assert.Contains($"error: --out: {Path.Combine(file, "samples.jsonl")} cannot be created: {file} is a file", underFile.StandardError);

        // /proc takes no new files, not even from root.
        var readOnly = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", "/proc/codexsharp-samples.jsonl", 1));
        Assert.Equal(2, readOnly.ExitCode);
        NoStackTrace(readOnly);
        Assert.Contains("error: --out: /proc/codexsharp-samples.jsonl cannot be written", readOnly.StandardError);
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task Bad_flags_are_refused_before_any_work_naming_the_flag()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        var spec = $"openai:{server.ModelName}@{server.BaseUrl}";
        (string[] Extra, string Message)[] cases =
        [
            (["--top-p", "1.5"], "error: --top-p: expected a number in (0, 1]"),
            (["--temperature", "-1"], "error: --temperature: expected a finite number, 0 or more"),
            (["--temperature", "Infinity"], "error: --temperature: expected a finite number, 0 or more, got Infinity"),
            (["--temperature", "NaN"], "error: --temperature: expected a finite number, 0 or more"),
            (["--concurrency", "0"], "error: --concurrency: expected 1 or more"),
            (["--request-timeout", "0"], "error: --request-timeout: expected a positive number of seconds"),
            (["--bf16"], "error: --bf16: only for models run in process"),
            (["--max-batch-rows", "8"], "error: --max-batch-rows: only for models run in process"),
            (["--max-batch-rows", "0"], "error: --max-batch-rows: expected 1 to 4096, got 0"),
        ];
        foreach (var (extra, message) in cases)
        {
            var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args(spec, Out, 1, extra));
            Assert.True(outcome.ExitCode == 2, outcome.ToString());
            Assert.Contains(message, outcome.StandardError);
            NoStackTrace(outcome);
        }
        var unknownSet = await GenerateProcess.RunAsync(["generate", "--model", spec, "--dataset", "nope", "--out", Out]);
        Assert.Equal(2, unknownSet.ExitCode);
        Assert.Contains("error: --dataset: no benchmark called 'nope'", unknownSet.StandardError);
        var badModel = await GenerateProcess.RunAsync(GenerateProcess.Args("gpt-5", Out, 1));
        Assert.Contains("error: --model: 'gpt-5' has no backend prefix", badModel.StandardError);
        Assert.Equal(0, server.RequestCount);
        Assert.False(File.Exists(Out));
    }

    [Fact]
    public async Task The_record_is_the_config_beside_the_samples_and_a_killed_run_reads_as_interrupted()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.SlowDelay = TimeSpan.Zero);
        // Two requests are answered, then the server stops answering: the kill lands mid-run.
        for (var i = 0; i < 2; i++) server.Faults.Enqueue(Fault.Slow);
        for (var i = 0; i < 20; i++) server.Faults.Enqueue(Fault.Hang);
        var args = GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 2, "--samples-per-request", "1", "--concurrency", "1", "--seed", "3");
        Assert.True(await GenerateProcess.KillAfterRowsAsync(args, Out, 2));

        var recordPath = Path.Combine(_dir, "samples.config.json");
        Assert.Equal(OutputPaths.Config(Out), GenerationRecord.PathFor(Out));
        Assert.False(File.Exists(Out + ".meta.json"));
        var raw = (JsonObject)JsonNode.Parse(File.ReadAllText(recordPath))!;
        Assert.Equal("running", raw["status"]!.GetValue<string>()); // what the killed process left on disk
        var record = GenerationRecord.Read(Out)!;
        Assert.Equal("interrupted", record["status"]!.GetValue<string>());
        Assert.Equal($"openai:{server.ModelName}@{server.BaseUrl}", record["model_spec"]!.GetValue<string>());
        Assert.Equal(0.2, record["temperature"]!.GetValue<double>());
        Assert.Equal(3, record["seed"]!.GetValue<long>());
        Assert.Equal("three-problems.jsonl", record["dataset"]!.GetValue<string>());
        Assert.Equal(64, record["dataset_sha256"]!.GetValue<string>().Length);
        Assert.False(string.IsNullOrEmpty(record["tool_version"]!.GetValue<string>()));
        Assert.NotNull(record["created_utc"]);

        server.Faults.Clear();
        var resumed = await GenerateProcess.RunAsync(args);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("the last run was interrupted", resumed.StandardOutput);
        Assert.Equal("completed", GenerationRecord.Read(Out)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_record_that_says_running_reads_as_running_while_its_run_holds_the_lock()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        Assert.Equal(0, (await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 1))).ExitCode);
        var path = GenerationRecord.PathFor(Out);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"completed\"", "\"running\""));
        using (SamplesJournal.Open(Out))
            Assert.Equal("running", GenerationRecord.Read(Out)!["status"]!.GetValue<string>());
        Assert.Equal("interrupted", GenerationRecord.Read(Out)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ctrl_c_writes_interrupted_and_exits_130()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.SlowDelay = TimeSpan.Zero);
        server.Faults.Enqueue(Fault.Slow);
        for (var i = 0; i < 20; i++) server.Faults.Enqueue(Fault.Hang);
        var args = GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 3, "--samples-per-request", "1", "--concurrency", "1");
        using var process = Process.Start(GenerateProcess.StartInfo(args))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (GenerateProcess.CompleteRows(Out) < 1 && DateTime.UtcNow < deadline && !process.HasExited) await Task.Delay(10);
        using (var signal = Process.Start("kill", ["-INT", process.Id.ToString()])) await signal.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == 130, await stderr);
        Assert.Contains("interrupted", await stderr);
        var raw = (JsonObject)JsonNode.Parse(File.ReadAllText(GenerationRecord.PathFor(Out)))!;
        Assert.Equal("interrupted", raw["status"]!.GetValue<string>());
        Assert.Equal(1, raw["samples_in_file"]!.GetValue<int>());
    }
}
