using System.Diagnostics;
using System.Text;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

/// <summary>Inputs Python's json and a shell accept: a byte-order mark, duplicate keys, surrogate escapes, pipes; and outputs that are not files.</summary>
public sealed class InputEdgeCaseTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_byte_order_mark_at_the_start_is_not_part_of_the_first_row()
    {
        var path = _dir.File("bom.jsonl");
        File.WriteAllBytes(path, [.. "\uFEFF"u8, .. "{\"a\":1}\n{\"a\":2}\n"u8]);
        Assert.Equal([1, 2], JsonlFile.Read(path).Select(r => r.Object["a"]!.GetValue<int>()));
    }

    [Fact]
    public void Of_duplicate_keys_the_last_counts_as_in_python_at_every_depth()
    {
        var path = _dir.Write("dup.jsonl", "{\"task_id\":\"A\",\"completion\":\"x\",\"completion\":\"y\",\"meta\":{\"k\":1,\"k\":[2,{\"z\":3,\"z\":4}]}}\n");
        var row = JsonlFile.Read(path).Single().Object;
        Assert.Equal("y", row["completion"]!.GetValue<string>());
        Assert.Equal(4, row["meta"]!["k"]![1]!["z"]!.GetValue<int>());
        Assert.Equal(3, row.Count);
    }

    [Theory]
    [InlineData("{\"completion\":\"    return \\ud800\\n\"}", "\\ud800")]
    [InlineData("{\"completion\":\"\\udc00 then\"}", "\\udc00")]
    [InlineData("{\"completion\":\"ok \\uD83D\\uDE00 \\ud83d\"}", "\\ud83d")]
    public void A_lone_surrogate_escape_is_refused_naming_line_and_escape(string line, string escape)
    {
        var path = _dir.Write("surrogate.jsonl", "{\"a\":1}\n" + line + "\n");
        var e = Assert.Throws<UserInputException>(() => JsonlFile.Read(path).ToList());
        Assert.StartsWith($"{path}:2: holds the escape {escape}", e.Message);
    }

    [Fact]
    public void A_surrogate_pair_and_an_escaped_backslash_before_u_are_fine()
    {
        var path = _dir.Write("pair.jsonl", "{\"a\":\"\\ud83d\\ude00\",\"b\":\"\\\\ud800\"}\n");
        var row = JsonlFile.Read(path).Single().Object;
        Assert.Equal("\U0001F600", row["a"]!.GetValue<string>());
        Assert.Equal("\\ud800", row["b"]!.GetValue<string>());
    }

    [Fact]
    public void The_kind_of_a_path_tells_devices_pipes_and_folders_from_files()
    {
        var fifo = _dir.File("fifo");
        Assert.Equal(0, Run("mkfifo", fifo));
        var link = _dir.File("null-link");
        File.CreateSymbolicLink(link, "/dev/null");
        Assert.Equal(FileKindValue.CharacterDevice, FileKind.Of("/dev/null"));
        Assert.Equal(FileKindValue.CharacterDevice, FileKind.Of(link));
        Assert.Equal(FileKindValue.Pipe, FileKind.Of(fifo));
        Assert.Equal(FileKindValue.Directory, FileKind.Of(_dir.Path));
        Assert.Equal(FileKindValue.Regular, FileKind.Of(_dir.Write("f", "x")));
        Assert.Equal(FileKindValue.Missing, FileKind.Of(_dir.File("none")));
    }

    [Fact]
    public void Atomic_writes_refuse_a_device_and_leave_it_alone()
    {
        var link = _dir.File("out.jsonl");
        File.CreateSymbolicLink(link, "/dev/null");
        var e = Assert.Throws<UserInputException>(() => JsonlFile.WriteAllAtomic(link, [new System.Text.Json.Nodes.JsonObject { ["a"] = 1 }]));
        Assert.Contains("is a character device, not a regular file", e.Message);
        Assert.Equal(FileKindValue.CharacterDevice, FileKind.Of("/dev/null"));
        Assert.Equal(["out.jsonl"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Many_concurrent_atomic_writes_of_one_path_all_succeed_and_leave_one_whole_file()
    {
        var path = _dir.File("cache.json");
        var writers = Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            for (var round = 0; round < 20; round++) AtomicFile.WriteAllText(path, new string((char)('a' + i), 10_000));
        }));
        await Task.WhenAll(writers);
        var text = File.ReadAllText(path);
        Assert.Equal(10_000, text.Length);
        Assert.All(text, c => Assert.Equal(text[0], c));
        Assert.Equal(["cache.json"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_pipe_is_read_once_into_a_copy_that_is_deleted_on_dispose()
    {
        var fifo = _dir.File("fifo");
        Assert.Equal(0, Run("mkfifo", fifo));
        var writer = Task.Run(() => File.WriteAllText(fifo, "{\"a\":1}\n"));
        string copyPath;
        using (var input = await InputCopy.OfAsync(fifo, CancellationToken.None))
        {
            Assert.True(input.IsCopy);
            copyPath = input.Path;
            Assert.Equal(1, JsonlFile.Read(input.Path).Single().Object["a"]!.GetValue<int>());
            Assert.Equal(1, JsonlFile.Read(input.Path).Single().Object["a"]!.GetValue<int>());
        }
        await writer;
        Assert.False(File.Exists(copyPath));
        using var file = await InputCopy.OfAsync(_dir.Write("plain.jsonl", "{}\n"), CancellationToken.None);
        Assert.False(file.IsCopy);
    }

    [Fact]
    public async Task Waiting_for_a_pipe_without_a_writer_ends_when_cancelled()
    {
        var fifo = _dir.File("fifo");
        Assert.Equal(0, Run("mkfifo", fifo));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => InputCopy.OfAsync(fifo, cancel.Token));
        // Unblock the thread still waiting in open(), so the test leaves nothing behind.
        await using var unblock = new FileStream(fifo, FileMode.Open, FileAccess.Write);
    }

    private static int Run(string program, params string[] args)
    {
        using var process = Process.Start(program, args);
        process.WaitForExit();
        return process.ExitCode;
    }
}

/// <summary>One status vocabulary for every stage's record; the word earlier versions wrote still reads as completed.</summary>
public sealed class RunStatusTests
{
    [Theory]
    [InlineData("completed", true)]
    [InlineData("complete", true)]
    [InlineData("interrupted", false)]
    [InlineData("running", false)]
    [InlineData(null, false)]
    public void A_finished_run_reads_as_completed_in_either_spelling(string? status, bool completed) =>
        Assert.Equal(completed, RunStatus.IsCompleted(status));
}
