namespace CodexSharp.Reporting;

/// <summary>Where a report goes when no folder is named.</summary>
public static class ReportLocation
{
    /// <summary><c>DIR/NAME_report/</c> for <c>DIR/NAME_results.jsonl</c> (or <c>DIR/NAME.jsonl</c>).</summary>
    public static string DefaultFor(string resultsPath)
    {
        var name = Path.GetFileName(resultsPath);
        foreach (var suffix in new[] { ".gz", ".jsonl", "_results" })
            if (name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length) name = name[..^suffix.Length];
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(resultsPath))!, name + "_report");
    }
}
