using ScottPlot;

namespace CodexSharp.Reporting.Plots;

/// <summary>The look every plot of a report shares: one sans-serif font, a light grid, a fixed palette.</summary>
internal static class PlotStyle
{
    /// <summary>A plot that spans the page.</summary>
    public const int Width = 900;
    public const int Height = 420;

    /// <summary>A plot that shares its row with a table or another plot.</summary>
    public const int HalfWidth = 540;
    public const int HalfHeight = 400;

    /// <summary>Tableau's ten colours, in order; series keep their colour across plots by index.</summary>
    public static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"), Color.FromHex("#9467bd"),
        Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"), Color.FromHex("#bcbd22"), Color.FromHex("#17becf"),
    ];

    /// <summary>A colour per verdict class: passing green, failures in warm-to-grey tones.</summary>
    public static Color ForClass(string verdictClass) => verdictClass switch
    {
        "passed" => Color.FromHex("#2ca02c"),
        "assertion" => Color.FromHex("#d62728"),
        "syntax error" => Color.FromHex("#9467bd"),
        "name error" => Color.FromHex("#ff7f0e"),
        "type error" => Color.FromHex("#e377c2"),
        "other exception" => Color.FromHex("#8c564b"),
        "timed out" => Color.FromHex("#1f77b4"),
        _ => Color.FromHex("#7f7f7f"),
    };

    /// <summary>A plot with the report's font and sizes, its title and axis labels.</summary>
    public static Plot Create(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Grid.MajorLineColor = Color.FromHex("#e6e6e6");
        plot.Legend.FontSize = 12;
        return plot;
    }

    /// <summary>A log-scale x axis for k = 1..max: the data are plotted at log10(k) and labelled 1, 2, 5, 10, ...</summary>
    public static void LogKAxis(Plot plot, int maxK)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var decade in new[] { 1, 10, 100, 1000, 10000 })
            foreach (var step in new[] { 1, 2, 5 })
                if (decade * step <= maxK) ticks.AddMajor(Math.Log10(decade * step), (decade * step).ToString(System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.05, Math.Max(Math.Log10(maxK), 0.3) + 0.05);
    }

    /// <summary>A y axis for rates, 0 to 1 (or a little above the largest value when all are small), labelled in percent.</summary>
    public static void RateAxis(Plot plot, double largest = 1.0)
    {
        var top = largest > 0.5 ? 1.0 : Math.Max(0.1, Math.Ceiling(largest * 10 + 0.5) / 10);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var step = top > 0.5 ? 0.1 : top > 0.2 ? 0.05 : 0.02;
        for (var y = 0.0; y <= top + 1e-9; y += step) ticks.AddMajor(y, $"{y * 100:0}%");
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimitsY(0, top * 1.02);
    }

    /// <summary>Category labels under bars at positions 0..n−1.</summary>
    public static void CategoryAxis(Plot plot, IReadOnlyList<string> labels)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < labels.Count; i++) ticks.AddMajor(i, labels[i].Replace(' ', '\n'));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
    }
}
