namespace CodexSharp.Reporting.Tests;

/// <summary>
/// A test that needs Debian's chromium. Where it is not installed the test is reported as skipped with the
/// reason; that is the only thing that skips it (CI installs chromium through ./setup).
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium))
            Skip = $"chromium is not installed ({Chromium} is missing): run ./setup, which installs Debian's chromium package; report.html was NOT checked in a browser.";
    }
}
