using System.Text.Json.Nodes;
using CodexSharp.Generation.Running;
using CodexSharp.Generation.Tests.Fixtures;
using CodexSharp.Testing;

namespace CodexSharp.Generation.Tests;

/// <summary>
/// <c>codexsharp generate</c> as a child process against a loopback server that refuses some requests for good:
/// a prompt longer than the model's context fails that task only; a refused parameter or another permanent 4xx
/// stops the run without being retried and without promising that a re-run continues.
/// </summary>
public sealed class FailedTaskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-failed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "samples.jsonl");

    private static void NoStackTrace(ProcessOutcome outcome) => Assert.DoesNotContain("   at ", outcome.All);

    [Fact]
    public async Task A_prompt_too_long_for_the_model_fails_that_task_only_and_a_rerun_retries_it()
    {
        // Tiny/1's prompt is 160 characters, the others are shorter.
        await using var server = await ScriptedModelServer.StartAsync(s => s.MaxPromptChars = 140);
        var args = GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 2, "--samples-per-request", "1", "--concurrency", "1");
        var outcome = await GenerateProcess.RunAsync(args);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        NoStackTrace(outcome);
        Assert.Contains("Tiny/1: not generated", outcome.StandardError);
        Assert.Contains("maximum context length is 140 tokens", outcome.StandardError);
        Assert.Contains("1 of 3 task(s) were not generated (Tiny/1)", outcome.StandardError);
        Assert.DoesNotContain("run the same command again to continue", outcome.All);
        Assert.Equal(1, server.Received.Count(r => r["prompt"]!.GetValue<string>().Length > 140)); // refused once, not retried
        var rows = SamplesFileAssert.Rows(Out);
        Assert.Equal(4, rows.Count);
        Assert.DoesNotContain(rows, r => r["task_id"]!.GetValue<string>() == "Tiny/1");
        var record = GenerationRecord.Read(Out)!;
        Assert.Equal("incomplete", record["status"]!.GetValue<string>());
        var failed = Assert.Single(record["failed_tasks"]!.AsArray())!;
        Assert.Equal("Tiny/1", failed["task_id"]!.GetValue<string>());
        Assert.Contains("context_length", failed["error"]!.GetValue<string>().Replace(' ', '_'));

        server.MaxPromptChars = null;
        var again = await GenerateProcess.RunAsync(args);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("2 new, 4 already there", again.StandardOutput);
        SamplesFileAssert.ExactlyNPerTask(Out, ["Tiny/0", "Tiny/1", "Tiny/2"], 2);
        var after = GenerationRecord.Read(Out)!;
        Assert.Equal("completed", after["status"]!.GetValue<string>());
        Assert.Empty(after["failed_tasks"]!.AsArray());
    }

    [Fact]
    public async Task A_server_that_refuses_every_prompt_fails_the_run_with_its_message()
    {
        await using var server = await ScriptedModelServer.StartAsync(s => s.MaxPromptChars = 10);
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 1));
        Assert.Equal(1, outcome.ExitCode);
        NoStackTrace(outcome);
        Assert.Contains("refused every task", outcome.StandardError);
        Assert.Contains("maximum context length is 10 tokens", outcome.StandardError);
        Assert.Equal(3, GenerationRecord.Read(Out)!["failed_tasks"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_refused_sampling_parameter_is_a_user_error_and_is_not_retried()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        for (var i = 0; i < 10; i++) server.Faults.Enqueue(Fault.BadTemperature);
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 1, "--concurrency", "1"));
        Assert.Equal(2, outcome.ExitCode);
        NoStackTrace(outcome);
        Assert.Contains("temperature must be between 0 and 2", outcome.StandardError);
        Assert.Contains("refuses the request's 'temperature'", outcome.StandardError);
        Assert.DoesNotContain("retry", outcome.StandardError);
        Assert.DoesNotContain("run the same command again to continue", outcome.All);
        Assert.Equal(1, server.RequestCount);
        Assert.Equal("failed", GenerationRecord.Read(Out)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_permanent_refusal_stops_the_run_without_promising_that_a_rerun_continues()
    {
        await using var server = await ScriptedModelServer.StartAsync();
        for (var i = 0; i < 10; i++) server.Faults.Enqueue(Fault.Status405);
        var outcome = await GenerateProcess.RunAsync(GenerateProcess.Args($"openai:{server.ModelName}@{server.BaseUrl}", Out, 1, "--concurrency", "1"));
        Assert.Equal(1, outcome.ExitCode);
        NoStackTrace(outcome);
        Assert.Contains("HTTP 405: Method not allowed.", outcome.StandardError);
        Assert.DoesNotContain("retry", outcome.StandardError);
        Assert.DoesNotContain("run the same command again to continue", outcome.All);
        Assert.Contains("will fail the same way", outcome.StandardError);
        Assert.Equal(1, server.RequestCount);
    }
}
