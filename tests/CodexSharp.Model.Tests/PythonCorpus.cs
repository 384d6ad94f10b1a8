namespace CodexSharp.Model.Tests;

/// <summary>Real Python source for tokenizer checks: Debian's standard library, in a fixed order.</summary>
internal static class PythonCorpus
{
    public const string Root = "/usr/lib/python3.11";

    /// <summary>Files from the standard library, sorted by path, until about <paramref name="bytes"/> bytes.</summary>
    public static IReadOnlyList<(string Path, string Text)> Files(long bytes)
    {
        Assert.True(Directory.Exists(Root), $"{Root} is missing: install Debian's python3 (apt-get install python3)");
        var files = new List<(string, string)>();
        long total = 0;
        foreach (var path in Directory.EnumerateFiles(Root, "*.py", SearchOption.AllDirectories)
                     .Where(p => !p.Contains("/site-packages/", StringComparison.Ordinal) && !p.Contains("/dist-packages/", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(path);
            files.Add((path, text));
            total += new FileInfo(path).Length;
            if (total >= bytes) break;
        }
        return files;
    }
}
