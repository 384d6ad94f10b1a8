using System.Text;
using CodexSharp.Core;
using CodexSharp.Core.Generation;
using CodexSharp.Generation.Running;

namespace CodexSharp.Generation.Tests;

public sealed class SamplesJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cs-journal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SampleRow Row(string task, int index) => SampleRow.From(task, index, new GeneratedCompletion($"    return {index}\n", "stop"), StopSequences.Paper);

    [Fact]
    public void A_torn_last_line_is_cut_off_and_its_sample_counts_as_missing()
    {
        var path = Path.Combine(_dir, "s.jsonl");
        File.WriteAllText(path, Row("A", 0).ToJsonLine() + Row("A", 1).ToJsonLine() + "{\"task_id\": \"A\", \"completion\": \"    ret");
        using var journal = SamplesJournal.Open(path);
        Assert.True(journal.RepairedBytes > 0);
        Assert.Equal(2, journal.CountFor("A"));
        Assert.Equal([2, 3], journal.MissingIndices("A", 4));
        journal.Append(Row("A", 2));
        journal.Dispose();
        var lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"sample_index\":2", lines[2]);
    }

    [Fact]
    public void A_file_that_is_one_torn_line_becomes_empty()
    {
        var path = Path.Combine(_dir, "s.jsonl");
        File.WriteAllText(path, "{\"task_id\": \"A\"");
        using var journal = SamplesJournal.Open(path);
        Assert.Equal(0, journal.CountFor("A"));
        journal.Dispose();
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public void Missing_indices_fill_gaps_and_rows_without_index_count()
    {
        var path = Path.Combine(_dir, "s.jsonl");
        var unindexed = "{\"task_id\": \"A\", \"completion\": \"x\"}\n";
        File.WriteAllText(path, Row("A", 1).ToJsonLine() + unindexed + Row("A", 3).ToJsonLine());
        using var journal = SamplesJournal.Open(path);
        Assert.Equal(3, journal.CountFor("A"));
        Assert.Equal([0, 2], journal.MissingIndices("A", 5));
        Assert.Empty(journal.MissingIndices("A", 2));
        Assert.Equal([0, 1, 2], journal.MissingIndices("B", 3));
    }

    [Fact]
    public void A_damaged_complete_line_is_an_input_error_naming_the_line()
    {
        var path = Path.Combine(_dir, "s.jsonl");
        File.WriteAllText(path, Row("A", 0).ToJsonLine() + "not json\n" + Row("A", 1).ToJsonLine(), new UTF8Encoding(false));
        var error = Assert.Throws<UserInputException>(() => SamplesJournal.Open(path));
        Assert.Contains("s.jsonl:2:", error.Message);
    }

    [Fact]
    public void A_second_writer_is_refused_until_the_first_closes()
    {
        var path = Path.Combine(_dir, "s.jsonl");
        using (SamplesJournal.Open(path))
        {
            var error = Assert.Throws<UserInputException>(() => SamplesJournal.Open(path));
            Assert.Contains("another run is writing this file", error.Message);
        }
        using var again = SamplesJournal.Open(path);
        Assert.Equal(0, again.CountFor("A"));
    }

    [Fact]
    public void A_lock_that_cannot_be_created_is_reported_as_what_it_is_not_as_another_run()
    {
        var path = Path.Combine(_dir, "s.jsonl");
        File.CreateSymbolicLink(path + ".lock", path + ".lock"); // opening it fails with "too many levels of symbolic links"
        var error = Assert.Throws<UserInputException>(() => SamplesJournal.Open(path));
        Assert.DoesNotContain("another run", error.Message);
        Assert.Contains("s.jsonl.lock: cannot write: too many levels of symbolic links", error.Message);
    }

    [Fact]
    public void A_folder_where_the_samples_file_should_be_is_named_a_folder()
    {
        var path = Path.Combine(_dir, "s.jsonl");
        Directory.CreateDirectory(path);
        var error = Assert.Throws<UserInputException>(() => SamplesJournal.Open(path));
        Assert.Contains("s.jsonl: is a folder", error.Message);
        Assert.DoesNotContain("permission denied", error.Message);
    }

    [Fact]
    public void A_gz_name_is_refused_rather_than_filled_with_plain_text()
    {
        var path = Path.Combine(_dir, "s.jsonl.gz");
        var error = Assert.Throws<UserInputException>(() => SamplesJournal.Open(path));
        Assert.Contains("name the file .jsonl", error.Message);
        Assert.False(File.Exists(path));
    }
}
