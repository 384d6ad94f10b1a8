using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>`evaluate` never destroys an input, never shares its output with another run, and says what is wrong with an output path.</summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _problems;
    private readonly string _samples;

    public OutputSafetyTests()
    {
        _problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0")]);
        _samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n")]);
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("absolute")]
    [InlineData("relative")]
    [InlineData("symlink")]
    public async Task Output_that_is_the_samples_file_is_refused_and_the_samples_survive(string how)
    {
        var before = File.ReadAllText(_samples);
        var link = _dir.File("alias.jsonl");
        if (how == "symlink") File.CreateSymbolicLink(link, _samples);
        var target = how switch { "absolute" => _samples, "relative" => "./sub/../samples.jsonl", _ => link };
        Directory.CreateDirectory(_dir.File("sub"));
        var run = await CodexSharpProcess.RunAsync(["evaluate", "samples.jsonl", "--problems", _problems, "-o", target, "--k", "1"], workingDirectory: _dir.Path);
        AssertBadInput(run, "is the samples file");
        Assert.Equal(before, File.ReadAllText(_samples));
    }

    [Fact]
    public async Task Output_held_by_another_run_is_refused_naming_its_lock()
    {
        var output = _dir.File("results.jsonl");
        using (JournalFile.Open(OutputPaths.Journal(output), output))
        {
            var run = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", output, "--k", "1"]);
            AssertBadInput(run, "another run is writing this file");
            Assert.Contains(output + ".lock", run.StandardError);
        }
        var after = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", output, "--k", "1"]);
        Assert.True(after.ExitCode == 0, after.ToString());
    }

    [Fact]
    public async Task A_second_evaluate_of_the_same_output_exits_2_while_the_first_runs()
    {
        var slow = Fixtures.WriteJsonl(_dir.File("slow.jsonl"),
            Enumerable.Range(0, 40).Select(_ => Fixtures.Sample("Toy/0", "    import time\n    time.sleep(0.5)\n    return a + b\n")));
        var output = _dir.File("shared.jsonl");
        string[] args = ["evaluate", slow, "--problems", _problems, "-o", output, "--k", "1", "--workers", "1"];
        using var first = Process.Start(CodexSharpProcess.StartInfo(args))!;
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(output + ".partial") && DateTime.UtcNow < deadline && !first.HasExited) await Task.Delay(50);
            Assert.False(first.HasExited, "the first run ended before the second started");
            var second = await CodexSharpProcess.RunAsync(args);
            AssertBadInput(second, output + ".lock");
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Samples_a_generate_run_is_still_writing_are_refused_and_an_unfinished_generation_is_named()
    {
        var output = _dir.File("results.jsonl");
        using (JournalFile.Open(_samples, _samples))
        {
            var run = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", output, "--k", "1"]);
            AssertBadInput(run, "a generate run is still writing it");
            Assert.Contains(_samples + ".lock", run.StandardError);
            Assert.False(File.Exists(output));
        }
        File.WriteAllText(OutputPaths.Config(_samples), "{\"samples_per_task\": 5, \"status\": \"running\"}\n");
        var after = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", output, "--k", "1"]);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("its generation record", after.StandardError);
        Assert.Contains("says 'interrupted'", after.StandardError);
    }

    [Fact]
    public async Task Output_naming_a_folder_says_so()
    {
        var run = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", _dir.Path, "--k", "1"]);
        AssertBadInput(run, "is a folder");
    }

    [Fact]
    public async Task Output_on_a_read_only_file_system_says_so()
    {
        var readOnly = Directory.CreateDirectory(_dir.File("ro")).FullName;
        var output = Path.Combine(readOnly, "results.jsonl");
        // bubblewrap shows everything as is, except this folder, which it mounts read-only.
        var info = new ProcessStartInfo("bwrap") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--dev-bind", "/", "/", "--ro-bind", readOnly, readOnly, "dotnet", CodexSharpProcess.Dll,
                     "evaluate", _samples, "--problems", _problems, "-o", output, "--k", "1" })
            info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var run = new ProcessOutcome(process.ExitCode, await stdout, stderr);
        AssertBadInput(run, "read-only file system");
        Assert.DoesNotContain("another run", run.StandardError);
    }

    [Fact]
    public async Task A_gz_output_is_written_compressed_and_reads_back()
    {
        var output = _dir.File("results.jsonl.gz");
        var run = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", output, "--k", "1"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        using (var gzip = new GZipStream(File.OpenRead(output), CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
            Assert.Contains("\"passed\":true", reader.ReadToEnd());
        Assert.Equal("passed", JsonlFile.Read(output).Single().Object["result"]!.GetValue<string>());
        Assert.True(File.Exists(_dir.File("results.summary.json")));
        var record = JsonNode.Parse(File.ReadAllText(_dir.File("results.config.json")))!;
        Assert.Equal("completed", record["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Self_check_leaves_no_temporary_folder_behind_whether_it_passes_or_fails()
    {
        var temp = Directory.CreateDirectory(_dir.File("tmp")).FullName;
        var environment = new Dictionary<string, string?> { ["TMPDIR"] = temp };
        var passing = await CodexSharpProcess.RunAsync(["evaluate", "--self-check", "--problems", _problems], environment: environment);
        Assert.True(passing.ExitCode == 0, passing.ToString());

        var broken = Fixtures.AddProblem("Toy/9");
        broken["canonical_solution"] = "    return a - b\n";
        var brokenProblems = Fixtures.WriteJsonl(_dir.File("broken.jsonl"), [broken]);
        var failing = await CodexSharpProcess.RunAsync(["evaluate", "--self-check", "--problems", brokenProblems], environment: environment);
        Assert.True(failing.ExitCode == 1, failing.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(temp));
    }

    private static void AssertBadInput(ProcessOutcome run, string expected)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.StandardError);
        Assert.DoesNotContain("   at ", run.All);
        Assert.DoesNotContain("Exception", run.All);
    }
}
