using System.Globalization;
using System.Text.Json.Nodes;
using CodexSharp.Reporting.Chains;
using CodexSharp.Testing;
using PuppeteerSharp;
using SkiaSharp;

namespace CodexSharp.Reporting.Tests;

/// <summary>report.html opened in headless Chromium: no console errors, every plot drawn, every number equal to report.json.</summary>
public sealed class ReportInBrowserTests
{
    /// <summary>Two runs of one model at two temperatures on docstring-chain problems: every section of the page appears.</summary>
    private static ReportOutcome BuildFullReport(TempDir dir)
    {
        var problems = Fixtures.WriteJsonl(dir.File("chains.jsonl"), SynthChains.Generate(4, 3, 2));
        IEnumerable<Verdict> Run(int seed, double skill)
        {
            var random = new Random(seed);
            foreach (var p in SynthChains.Generate(4, 3, 2))
            {
                var length = p["chain_length"]!.GetValue<int>();
                for (var s = 0; s < 6; s++)
                {
                    var passed = random.NextDouble() < skill / length;
                    var score = Math.Round(-random.NextDouble() - (passed ? 0 : 0.2), 2);
                    yield return new Verdict(p["task_id"]!.GetValue<string>(), passed ? p["canonical_solution"]!.GetValue<string>() : "    return s[::-1]\n",
                        passed, passed ? "" : s % 2 == 0 ? "failed: " : "failed: invalid syntax (<string>, line 3)", score, score * 7);
                }
            }
        }
        var cold = RunFiles.Write(dir.Path, "tiny_t02", problems, Run(1, 0.9), 0.2, "local:tiny");
        var warm = RunFiles.Write(dir.Path, "tiny_t08", problems, Run(2, 0.7), 0.8, "local:tiny");
        return ReportBuilder.Build(new ReportConfig { ResultsPaths = [cold, warm], OutputDirectory = dir.File("report") }, _ => { });
    }

    [BrowserFact]
    public async Task The_page_has_no_console_errors_draws_every_plot_and_shows_the_numbers_of_report_json()
    {
        using var dir = new TempDir();
        var outcome = BuildFullReport(dir);
        var json = JsonNode.Parse(File.ReadAllText(outcome.JsonPath))!;

        await using var report = await OpenReport.OpenAsync(outcome.HtmlPath);
        var page = report.Page;

        var plots = await page.QuerySelectorAllAsync("svg.plot");
        Assert.Equal(json["plots"]!.AsObject().Count, plots.Length);
        foreach (var plot in plots)
        {
            var name = await plot.EvaluateFunctionAsync<string>("e => e.dataset.plot");
            var (inked, colours) = Ink(await plot.ScreenshotDataAsync());
            Assert.True(inked > 0.02 && colours >= 3, $"plot {name} looks blank: {inked:P1} of its pixels are not white, {colours} colours.");
        }

        var shown = await report.ShownNumbersAsync();
        Assert.True(shown.Length > 100, $"only {shown.Length} numbers are tagged with their report.json key");
        foreach (var pair in shown) AssertShownValue(json, pair[0], pair[1]);
        foreach (var key in new[] { "/temperature/envelope/1/value", "/comparison/pass_at_k/1/difference", "/runs/0/ranking/mean_logprob/1", "/runs/1/chains/4/pass_rate", "/runs/0/bleu/passing/mean" })
            Assert.Contains(shown, p => p[0] == key);

        var screenshots = Environment.GetEnvironmentVariable("CODEXSHARP_REPORT_SCREENSHOT");
        if (!string.IsNullOrEmpty(screenshots)) await page.ScreenshotAsync(screenshots, new ScreenshotOptions { FullPage = true });
        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
    }

    /// <summary>The page's text equals the JSON value at <paramref name="pointer"/>, to the precision shown.</summary>
    internal static void AssertShownValue(JsonNode json, string pointer, string text)
    {
        var node = json;
        foreach (var part in pointer.Split('/').Skip(1).Select(p => p.Replace("~1", "/").Replace("~0", "~")))
            node = node switch
            {
                JsonArray array => array[int.Parse(part, CultureInfo.InvariantCulture)]!,
                JsonObject obj when obj[part] is { } child => child,
                _ => throw new Xunit.Sdk.XunitException($"{pointer}: not in report.json (the page shows '{text}')"),
            };
        var expected = node.GetValue<double>();
        var clean = text.Replace(",", "").Replace("−", "-").Replace("+", "").Trim();
        var percent = clean.EndsWith('%');
        clean = clean.TrimEnd('%');
        var decimals = clean.Contains('.') ? clean.Length - clean.IndexOf('.') - 1 : 0;
        var shown = double.Parse(clean, CultureInfo.InvariantCulture) / (percent ? 100 : 1);
        var tolerance = 0.5 * Math.Pow(10, -decimals) / (percent ? 100 : 1) + 1e-9;
        Assert.True(Math.Abs(shown - expected) <= tolerance, $"{pointer}: the page shows '{text}', report.json holds {expected}");
    }

    /// <summary>The share of pixels that are not (near) white, and how many distinct colours the image has.</summary>
    private static (double Inked, int Colours) Ink(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var inked = 0;
        var colours = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 235 || c.Green < 235 || c.Blue < 235) inked++;
                colours.Add((uint)c);
            }
        return ((double)inked / (bitmap.Width * bitmap.Height), colours.Count);
    }
}
