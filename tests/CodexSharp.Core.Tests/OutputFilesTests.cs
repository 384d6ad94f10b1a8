using CodexSharp.Core.Io;
using CodexSharp.Testing;

namespace CodexSharp.Core.Tests;

public sealed class OutputFilesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_same_file_is_recognised_through_relative_paths_and_symlinks()
    {
        var samples = _dir.Write("samples.jsonl", "{}\n");
        var sub = Directory.CreateDirectory(_dir.File("sub")).FullName;
        var linkedDir = _dir.File("linked");
        Directory.CreateSymbolicLink(linkedDir, sub);
        File.CreateSymbolicLink(Path.Combine(sub, "alias.jsonl"), "../samples.jsonl");

        Assert.True(OutputFiles.SameFile(samples, Path.Combine(_dir.Path, "sub", "..", "samples.jsonl")));
        Assert.True(OutputFiles.SameFile(samples, Path.Combine(linkedDir, "alias.jsonl")));
        Assert.True(OutputFiles.SameFile(samples, Path.GetRelativePath(Environment.CurrentDirectory, samples)));
        Assert.False(OutputFiles.SameFile(samples, Path.Combine(sub, "samples.jsonl")));

        // In a link's target, "shortcut/.." goes up from where "shortcut" points, not from the link's own folder.
        var deep = Directory.CreateDirectory(_dir.File("a/b/c")).FullName;
        File.WriteAllText(_dir.File("a/b/target.jsonl"), "{}\n");
        Directory.CreateSymbolicLink(_dir.File("shortcut"), deep);
        File.CreateSymbolicLink(_dir.File("via.jsonl"), "shortcut/../target.jsonl");
        Assert.True(OutputFiles.SameFile(_dir.File("a/b/target.jsonl"), _dir.File("via.jsonl")));
    }

    [Fact]
    public void An_output_that_is_an_input_or_a_folder_is_refused()
    {
        var samples = _dir.Write("samples.jsonl", "{}\n");
        var link = _dir.File("link.jsonl");
        File.CreateSymbolicLink(link, samples);
        var error = Assert.Throws<UserInputException>(() => OutputFiles.CheckOutput(link, (samples, "samples file")));
        Assert.Contains("is the samples file", error.Message);
        error = Assert.Throws<UserInputException>(() => OutputFiles.CheckOutput(_dir.Path, (samples, "samples file")));
        Assert.Contains("is a folder", error.Message);
        OutputFiles.CheckOutput(_dir.File("results.jsonl"), (samples, "samples file"));
    }
}
