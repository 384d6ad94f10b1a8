using System.Text.Json.Nodes;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Running;
using CodexSharp.Generation.Tests.Fixtures;

namespace CodexSharp.Generation.Tests;

public sealed class GenerationRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-runner-").FullName;
    private readonly IReadOnlyList<GenerationTask> _tasks = TinyProblems.Tasks();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "samples.jsonl");

    private static GenerationRunOptions Options(int n, int perRequest = 2, int concurrency = 2, double temperature = 0.8) => new()
    {
        SamplesPerTask = n,
        SamplesPerRequest = perRequest,
        Concurrency = concurrency,
        Sampling = new SamplingOptions { Temperature = temperature, Seed = 7 },
    };

    private JsonObject Record(GenerationRunOptions options) => GenerationRecord.Build(
        new GenerationConfig
        {
            Model = ModelSpec.Parse("openai:counting@http://127.0.0.1:9/v1"),
            SamplesPath = Out,
            SamplesPerTask = options.SamplesPerTask,
            Sampling = options.Sampling,
            Concurrency = options.Concurrency,
            SamplesPerRequest = options.SamplesPerRequest,
        },
        null,
        new DatasetIdentity("tiny", TinyProblems.Path, "abc123", _tasks.Count));

    private async Task<GenerationRunSummary> RunAsync(ICodeGenerator generator, GenerationRunOptions options) =>
        await new GenerationRunner(generator).RunAsync(_tasks, options, Out, Record(options));

    [Fact]
    public async Task A_fresh_run_writes_n_truncated_samples_per_task_and_a_sidecar()
    {
        using var generator = new CountingGenerator();
        var summary = await RunAsync(generator, Options(n: 5));
        SamplesFileAssert.ExactlyNPerTask(Out, _tasks.Select(t => t.TaskId), 5);
        Assert.Equal(15, summary.Written);
        Assert.Equal(9, generator.Calls); // 5 per task in requests of 2: 2 + 2 + 1
        var row = SamplesFileAssert.Rows(Out)[0];
        Assert.DoesNotContain("def next_one", row["completion"]!.GetValue<string>());
        Assert.Contains("def next_one", row["raw_completion"]!.GetValue<string>());
        var meta = GenerationRecord.Read(Out)!;
        Assert.Equal("completed", meta["status"]!.GetValue<string>());
        Assert.Equal(15, meta["samples_in_file"]!.GetValue<int>());
        Assert.Equal("abc123", meta["dataset_sha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rerun_adds_nothing_and_a_larger_n_tops_up_exactly()
    {
        using var generator = new CountingGenerator();
        await RunAsync(generator, Options(n: 3));
        var again = await RunAsync(generator, Options(n: 3));
        Assert.Equal(0, again.Written);
        Assert.Equal(9, again.AlreadyPresent);
        var more = await RunAsync(generator, Options(n: 4));
        Assert.Equal(3, more.Written);
        SamplesFileAssert.ExactlyNPerTask(Out, _tasks.Select(t => t.TaskId), 4);
    }

    [Fact]
    public async Task A_backend_failure_keeps_what_arrived_and_a_rerun_finishes_without_duplicates()
    {
        using var failing = new CountingGenerator { FailFromCall = 3 };
        var error = await Assert.ThrowsAsync<GenerationBackendException>(() => RunAsync(failing, Options(n: 4, perRequest: 1, concurrency: 1)));
        Assert.Contains("fake fault", error.Message);
        Assert.Equal(2, SamplesFileAssert.Rows(Out).Count);
        Assert.Equal("failed", GenerationRecord.Read(Out)!["status"]!.GetValue<string>());

        using var healthy = new CountingGenerator();
        var summary = await RunAsync(healthy, Options(n: 4, perRequest: 1, concurrency: 1));
        Assert.Equal(10, summary.Written);
        SamplesFileAssert.ExactlyNPerTask(Out, _tasks.Select(t => t.TaskId), 4);
    }

    [Fact]
    public async Task Concurrency_bounds_requests_in_flight()
    {
        using var generator = new CountingGenerator { Delay = TimeSpan.FromMilliseconds(30) };
        await RunAsync(generator, Options(n: 4, perRequest: 1, concurrency: 3));
        Assert.InRange(generator.MaxInFlight, 1, 3);
    }

    [Fact]
    public async Task Other_sampling_settings_refuse_to_mix_into_the_same_file()
    {
        using var generator = new CountingGenerator();
        await RunAsync(generator, Options(n: 2, temperature: 0.8));
        var error = await Assert.ThrowsAsync<UserInputException>(() => RunAsync(generator, Options(n: 2, temperature: 0.2)));
        Assert.Contains("temperature 0.8 before, 0.2 now", error.Message);
    }

    [Fact]
    public async Task Each_sample_gets_the_same_seed_whether_requested_together_or_apart()
    {
        using var together = new CountingGenerator();
        await RunAsync(together, Options(n: 4, perRequest: 4));
        File.Delete(Out);
        File.Delete(GenerationRecord.PathFor(Out));
        using var apart = new CountingGenerator();
        await RunAsync(apart, Options(n: 4, perRequest: 1, concurrency: 1));
        // A request for samples i..j carries sample i's seed; a backend gives sample i+k seed + k.
        var perSample = together.Seeds.SelectMany(s => Enumerable.Range(0, 4).Select(k => s + k)).Order();
        Assert.Equal(perSample, apart.Seeds.Order());
        Assert.Equal(12, apart.Seeds.Distinct().Count());
    }

    [Fact]
    public async Task A_prompt_the_model_had_to_cut_is_warned_once_per_task_and_recorded()
    {
        var notices = new List<string>();
        using var generator = new CountingGenerator { PromptTokensDropped = prompt => prompt.Contains("def shout(") ? 37 : 0 };
        var options = Options(n: 4, perRequest: 1, concurrency: 2);
        var summary = await new GenerationRunner(generator, m => { lock (notices) notices.Add(m); }).RunAsync(_tasks, options, Out, Record(options));
        var shout = _tasks.Single(t => t.Prompt.Contains("def shout(")).TaskId;
        var warning = Assert.Single(notices);
        Assert.StartsWith($"{shout}: the prompt is longer than the model's context; its first 37 tokens were dropped", warning);
        Assert.Equal([new PromptTruncation(shout, 37)], summary.Truncated);
        var recorded = Assert.Single(GenerationRecord.Read(Out)!["truncated_prompts"]!.AsArray())!;
        Assert.Equal(shout, recorded["task_id"]!.GetValue<string>());
        Assert.Equal(37, recorded["prompt_tokens_dropped"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_record_from_an_older_version_still_guards_the_file()
    {
        using var generator = new CountingGenerator();
        await RunAsync(generator, Options(n: 2, temperature: 0.8));
        File.Move(GenerationRecord.PathFor(Out), Out + ".meta.json"); // where versions before the config record kept it
        Assert.Equal(0.8, GenerationRecord.Read(Out)!["temperature"]!.GetValue<double>());
        var error = await Assert.ThrowsAsync<UserInputException>(() => RunAsync(generator, Options(n: 2, temperature: 0.2)));
        Assert.Contains("temperature 0.8 before, 0.2 now", error.Message);
    }
}
