using System.Text.RegularExpressions;
using CodexSharp.Core.Io;
using ScottPlot;

namespace CodexSharp.Reporting.Plots;

/// <summary>A plot written as <c>plots/NAME.svg</c> and <c>plots/NAME.png</c>, and its SVG ready to inline in the page.</summary>
public sealed record PlotFile(string Name, string Title, string SvgPath, string PngPath, string InlineSvg);

/// <summary>Writes plots into a report's <c>plots/</c> folder.</summary>
internal static partial class PlotFiles
{
    /// <summary>Builds the plot, renders it to SVG and PNG, and disposes it.</summary>
    public static PlotFile Write(string outputDirectory, string name, string title, Func<Plot> build, int width = PlotStyle.Width, int height = PlotStyle.Height)
    {
        using (var plot = build())
        {
            var folder = Path.Combine(outputDirectory, "plots");
            Directory.CreateDirectory(folder);
            var svg = plot.GetSvgXml(width, height);
            var svgPath = Path.Combine(folder, name + ".svg");
            var pngPath = Path.Combine(folder, name + ".png");
            AtomicFile.WriteAllText(svgPath, svg);
            var png = plot.GetImageBytes(width, height, ImageFormat.Png);
            AtomicFile.Write(pngPath, stream => stream.Write(png));
            return new PlotFile(name, title, svgPath, pngPath, Inline(svg, name, title, width, height));
        }
    }

    /// <summary>
    /// The SVG as an element of the page: no XML declaration; element ids prefixed with the plot's name (every
    /// plot numbers its clip paths from the same start, and ids must be unique in one page); a viewBox so that it
    /// scales with the page; a title for screen readers.
    /// </summary>
    public static string Inline(string svg, string name, string title, int width, int height)
    {
        svg = svg[svg.IndexOf("<svg", StringComparison.Ordinal)..];
        svg = IdPattern().Replace(svg, m => $"{m.Groups[1].Value}{name}-{m.Groups[2].Value}");
        var header = $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode(title)}\" class=\"plot\" data-plot=\"{name}\">";
        var open = svg.IndexOf('>', StringComparison.Ordinal);
        svg = header + svg[(open + 1)..];
        // ScottPlot writes per-glyph positions as "x0, x1, ..., " with a trailing comma, which browsers reject
        // (and log): keep the first position, the text's anchor.
        return GlyphPositions().Replace(svg, m => $" {m.Groups[1].Value}=\"{m.Groups[2].Value}\"");
    }

    [GeneratedRegex("(id=\"|url\\(#)([A-Za-z_][\\w.-]*)")]
    private static partial Regex IdPattern();

    [GeneratedRegex(" (x|y)=\"([-0-9.eE]+),[^\"]*\"")]
    private static partial Regex GlyphPositions();
}
