using PuppeteerSharp;

namespace CodexSharp.Reporting.Tests;

/// <summary>
/// report.html open in headless Chromium (1200 × 900), with every console error or warning, page error and request
/// for anything but a local file collected in <see cref="Problems"/>.
/// </summary>
internal sealed class OpenReport : IAsyncDisposable
{
    private OpenReport(IBrowser browser, IPage page)
    {
        Browser = browser;
        Page = page;
    }

    public IBrowser Browser { get; }

    public IPage Page { get; }

    public List<string> Problems { get; } = [];

    public static async Task<OpenReport> OpenAsync(string htmlPath)
    {
        var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = BrowserFactAttribute.Chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var report = new OpenReport(browser, await browser.NewPageAsync());
        var page = report.Page;
        page.Console += (_, e) => { if (e.Message.Type is ConsoleType.Error or ConsoleType.Warning) report.Problems.Add($"console {e.Message.Type}: {e.Message.Text}"); };
        page.PageError += (_, e) => report.Problems.Add("page error: " + e.Message);
        page.Request += (_, e) => { if (!e.Request.Url.StartsWith("file:", StringComparison.Ordinal)) report.Problems.Add("network request: " + e.Request.Url); };
        await page.SetViewportAsync(new ViewPortOptions { Width = 1200, Height = 900 });
        await page.GoToAsync(new Uri(htmlPath).AbsoluteUri, WaitUntilNavigation.Load);
        return report;
    }

    /// <summary>Every element tagged with a report.json pointer: [pointer, the text shown].</summary>
    public Task<string[][]> ShownNumbersAsync() =>
        Page.EvaluateExpressionAsync<string[][]>("Array.from(document.querySelectorAll('[data-key]')).map(e => [e.dataset.key, e.textContent])");

    public async ValueTask DisposeAsync()
    {
        await Page.DisposeAsync();
        await Browser.DisposeAsync();
    }
}
