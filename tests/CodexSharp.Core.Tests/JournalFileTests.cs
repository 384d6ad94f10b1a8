using System.Text;
using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

public sealed class JournalFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reads_back_complete_lines_cuts_a_torn_one_and_appends_after_them()
    {
        var path = _dir.Write("j.jsonl", "one\ntwo\nthr");
        using (var journal = JournalFile.Open(path, path))
        {
            Assert.Equal(["one", "two"], journal.Lines);
            Assert.Equal(3, journal.RepairedBytes);
            journal.Append("three");
            Assert.Equal("one\ntwo\nthree\n", ReadShared(path));
        }
        Assert.False(File.Exists(OutputPaths.Lock(path)));
    }

    [Fact]
    public void Keep_first_cuts_the_file_back_to_whole_lines()
    {
        var path = _dir.Write("j.jsonl", "a\nb\nc\n");
        using var journal = JournalFile.Open(path, path);
        journal.KeepFirst(1);
        journal.Append("z");
        Assert.Equal("a\nz\n", ReadShared(path));
        journal.KeepFirst(0);
        Assert.Equal("", ReadShared(path));
    }

    [Fact]
    public void The_lock_belongs_to_the_output_and_keeps_a_second_writer_out_until_released()
    {
        var output = _dir.File("results.jsonl");
        var journal = JournalFile.Open(OutputPaths.Journal(output), output);
        Assert.True(File.Exists(output + ".lock"));
        var error = Assert.Throws<UserInputException>(() => JournalFile.Open(OutputPaths.Journal(output), output));
        Assert.Contains("another run is writing this file", error.Message);
        Assert.Contains(output + ".lock", error.Message);
        journal.Delete();
        Assert.False(File.Exists(output + ".partial"));
        using var again = JournalFile.Open(OutputPaths.Journal(output), output);
        Assert.Empty(again.Lines);
    }

    [Fact]
    public void A_folder_in_the_way_is_named_as_such()
    {
        var path = _dir.File("adir");
        Directory.CreateDirectory(path);
        var error = Assert.Throws<UserInputException>(() => JournalFile.Open(path, _dir.File("x.jsonl")));
        Assert.Contains("adir: is a folder", error.Message);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream, Encoding.UTF8).ReadToEnd();
    }
}
