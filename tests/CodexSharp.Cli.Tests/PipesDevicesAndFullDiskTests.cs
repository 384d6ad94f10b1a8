using System.Diagnostics;
using System.Text.Json.Nodes;
using CodexSharp.Testing;

namespace CodexSharp.Cli.Tests;

/// <summary>
/// `evaluate` as a shell user drives it: outputs that are devices or pipes are refused, inputs that are pipes
/// are read, a signal ends a run that waits for a pipe, and a full disk is a run failure (exit 1), not a bad
/// input, after which the same command continues to the same results.
/// </summary>
public sealed class PipesDevicesAndFullDiskTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _problems;
    private readonly string _samples;

    public PipesDevicesAndFullDiskTests()
    {
        _problems = Fixtures.WriteJsonl(_dir.File("problems.jsonl"), [Fixtures.AddProblem("Toy/0")]);
        _samples = Fixtures.WriteJsonl(_dir.File("samples.jsonl"), [Fixtures.Sample("Toy/0", "    return a + b\n"), Fixtures.Sample("Toy/0", "    return a - b\n")]);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_output_that_is_a_device_or_a_fifo_is_refused_and_left_as_it_was()
    {
        var device = _dir.File("null");
        File.CreateSymbolicLink(device, "/dev/null");
        var fifo = _dir.File("fifo.jsonl");
        Assert.Equal(0, Shell($"mkfifo '{fifo}'").ExitCode);
        foreach (var (target, kind) in new[] { (device, "a character device"), (fifo, "a pipe (FIFO)") })
        {
            var run = await CodexSharpProcess.RunAsync(["evaluate", _samples, "--problems", _problems, "-o", target, "--k", "1"]);
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains($"{target}: is {kind}, not a regular file", run.StandardError);
        }
        Assert.Equal("/dev/null", new FileInfo(device).LinkTarget);
        Assert.Equal(0, Shell("test -c /dev/null").ExitCode);
        Assert.Equal(0, Shell($"test -p '{fifo}'").ExitCode);
        Assert.Equal(["fifo.jsonl", "null", "problems.jsonl", "samples.jsonl"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Samples_and_problems_from_process_substitution_are_read_and_the_record_names_the_pipe()
    {
        var output = _dir.File("piped.jsonl");
        var run = Shell($"dotnet '{CodexSharpProcess.Dll}' evaluate <(cat '{_samples}') --problems <(cat '{_problems}') -o '{output}' --k 1 --no-report");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([true, false], File.ReadLines(output).Select(l => JsonNode.Parse(l)!["passed"]!.GetValue<bool>()));
        var record = JsonNode.Parse(File.ReadAllText(_dir.File("piped.config.json")))!;
        Assert.Contains("a pipe, read once", record["config"]!["run_info"]!["samples_source"]!.GetValue<string>());

        var withoutOutput = Shell($"dotnet '{CodexSharpProcess.Dll}' evaluate <(cat '{_samples}') --problems '{_problems}' --k 1");
        Assert.True(withoutOutput.ExitCode == 2, withoutOutput.ToString());
        Assert.Contains("is a pipe, so there is no file beside which to write", withoutOutput.StandardError);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_ends_a_run_waiting_for_a_fifo_without_a_writer_with_130(string signal)
    {
        var fifo = _dir.File($"wait-{signal}.jsonl");
        Assert.Equal(0, Shell($"mkfifo '{fifo}'").ExitCode);
        using var process = Process.Start(CodexSharpProcess.StartInfo(["evaluate", fifo, "--problems", _problems, "-o", _dir.File("out.jsonl"), "--k", "1"]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(process.HasExited);
        Assert.Equal(0, Shell($"kill -{signal} {process.Id}").ExitCode);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);
        Assert.True(process.ExitCode == 130, await stderr);
        Assert.Contains("interrupted", await stderr);
        Assert.DoesNotContain("   at ", await stderr);
    }

    [Fact]
    public async Task A_full_disk_exits_1_records_failed_and_the_same_command_later_gives_the_same_results()
    {
        // Long completions, so that the results outgrow a 96 KiB tmpfs while the journal of verdicts still fits.
        var padding = "    # " + new string('x', 900) + "\n";
        var samples = Fixtures.WriteJsonl(_dir.File("many.jsonl"),
            Enumerable.Range(0, 160).Select(i => Fixtures.Sample("Toy/0", padding + (i % 3 == 0 ? "    return a - b\n" : "    return a + b\n"))));
        var expected = _dir.File("expected.jsonl");
        var direct = await CodexSharpProcess.RunAsync(["evaluate", samples, "--problems", _problems, "-o", expected, "--k", "1", "--no-report"]);
        Assert.True(direct.ExitCode == 0, direct.ToString());

        // A private mount namespace (as root, or as a user through a user namespace) with a small tmpfs; it is
        // made larger between the two runs, as a user would free space.
        var full = _dir.File("full");
        Directory.CreateDirectory(full);
        var codexsharp = $"dotnet '{CodexSharpProcess.Dll}' evaluate '{samples}' --problems '{_problems}' -o '{full}/results.jsonl' --k 1 --no-report";
        var script = string.Join('\n',
            $"mount -t tmpfs -o size=96k tmpfs '{full}' || exit 99",
            $"{codexsharp} > '{_dir.File("first.out")}' 2>&1; echo \"first=$?\"",
            $"cat '{full}/results.config.json'",
            $"mount -o remount,size=4m '{full}' || exit 98",
            $"{codexsharp} > '{_dir.File("second.out")}' 2>&1; echo \"second=$?\"",
            $"cp '{full}/results.jsonl' '{_dir.File("resumed.jsonl")}'");
        var run = Shell($"unshare --mount {(Environment.UserName == "root" ? "" : "--map-root-user")} bash -c \"$0\"", script);
        Assert.True(run.ExitCode == 0, run.ToString());
        var first = File.ReadAllText(_dir.File("first.out"));
        Assert.Contains("first=1", run.StandardOutput);
        Assert.Contains("no space left on device", first);
        Assert.DoesNotContain("   at ", first);
        Assert.Contains("\"status\": \"failed\"", run.StandardOutput);
        Assert.Contains("second=0", run.StandardOutput);
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(_dir.File("resumed.jsonl")));
    }

    private static ProcessOutcome Shell(string command, string? argument = null)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        if (argument is not null) info.ArgumentList.Add(argument);
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new ProcessOutcome(process.ExitCode, stdout.Result, stderr);
    }
}
