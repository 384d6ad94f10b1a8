using ScottPlot;

namespace CodexSharp.Reporting.Plots;

/// <summary>A line through (x, y) with an optional band [low, high] around it.</summary>
public sealed record Series(string Label, double[] X, double[] Y, double[]? Low = null, double[]? High = null);

/// <summary>The report's plots, one builder each; every builder returns a plot ready to render.</summary>
internal static class Charts
{
    /// <summary>pass@k against k (log scale) for each run, with its bootstrap band (Fig. 5 style).</summary>
    public static Plot PassAtK(IReadOnlyList<Series> runs, string title = "pass@k against k") =>
        Lines(title, "k (samples per problem, log scale)", "pass@k", runs, logK: true, bands: true);

    /// <summary>Ranked pass@1 against the number of samples ranked (Fig. 7).</summary>
    public static Plot Ranking(IReadOnlyList<Series> methods) =>
        Lines("Choosing one of k samples without tests", "k (samples ranked, log scale)", "pass rate of the sample chosen", methods, logK: true, bands: false);

    /// <summary>Lines with markers over a shared x; bands drawn first, in the line's colour, translucent.</summary>
    public static Plot Lines(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logK, bool bands, double? emphasise = null)
    {
        var plot = PlotStyle.Create(title, xLabel, yLabel);
        var largest = 0.0;
        var maxX = 1.0;
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var color = s.Label == "best temperature" ? Colors.Black : PlotStyle.Palette[i % PlotStyle.Palette.Length];
            var xs = logK ? s.X.Select(Math.Log10).ToArray() : s.X;
            if (bands && s.Low is not null && s.High is not null && xs.Length > 1)
            {
                var band = plot.Add.FillY(xs, s.Low, s.High);
                band.FillColor = color.WithAlpha(0.18);
                band.LineWidth = 0;
                largest = Math.Max(largest, s.High.DefaultIfEmpty().Max());
            }
            var line = plot.Add.Scatter(xs, s.Y, color);
            line.LegendText = s.Label;
            line.LineWidth = s.Label == "best temperature" ? 3 : 2;
            line.MarkerSize = xs.Length > 30 ? 0 : 6;
            largest = Math.Max(largest, s.Y.DefaultIfEmpty().Max());
            maxX = Math.Max(maxX, s.X.DefaultIfEmpty(1).Max());
        }
        if (logK) PlotStyle.LogKAxis(plot, (int)maxX);
        PlotStyle.RateAxis(plot, largest);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>One bar per class, labelled with its count.</summary>
    public static Plot ClassBars(string title, IReadOnlyList<(string Class, int Count)> classes)
    {
        var plot = PlotStyle.Create(title, "", "samples");
        var bars = classes.Select((c, i) => new Bar
        {
            Position = i, Value = c.Count, FillColor = PlotStyle.ForClass(c.Class), LineWidth = 0,
            Label = c.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ToArray();
        var plottable = plot.Add.Bars(bars);
        plottable.ValueLabelStyle.FontSize = 12;
        PlotStyle.CategoryAxis(plot, classes.Select(c => c.Class).ToList());
        plot.Axes.SetLimitsY(0, Math.Max(1, classes.Max(c => c.Count)) * 1.12);
        plot.Axes.SetLimitsX(-0.6, classes.Count - 0.4);
        return plot;
    }

    /// <summary>
    /// One stacked bar per problem (sorted by pass rate): the share of its samples in each class, passing at the
    /// bottom, so the plot reads as the per-problem pass rates and what went wrong with the rest.
    /// </summary>
    public static Plot ProblemOutcomes(string title, IReadOnlyList<string> classes, IReadOnlyList<IReadOnlyList<double>> sharesPerProblem)
    {
        var plot = PlotStyle.Create(title, "problems, sorted by pass rate", "share of the problem's samples");
        var bars = new List<Bar>();
        for (var p = 0; p < sharesPerProblem.Count; p++)
        {
            var bottom = 0.0;
            for (var c = 0; c < classes.Count; c++)
            {
                var share = sharesPerProblem[p][c];
                if (share <= 0) continue;
                bars.Add(new Bar { Position = p, ValueBase = bottom, Value = bottom + share, FillColor = PlotStyle.ForClass(classes[c]), LineWidth = 0, Size = 1.0 });
                bottom += share;
            }
        }
        plot.Add.Bars(bars);
        for (var c = 0; c < classes.Count; c++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = classes[c], FillColor = PlotStyle.ForClass(classes[c]) });
        plot.ShowLegend(Edge.Right);
        PlotStyle.RateAxis(plot);
        plot.Axes.SetLimitsX(-0.5, sharesPerProblem.Count - 0.5);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        return plot;
    }

    /// <summary>Overlaid histograms (as shares of each group) of BLEU for passing and failing samples (Fig. 8).</summary>
    public static Plot BleuHistogram(string title, double[] binEdges, double[] passing, double[] failing, int passingCount, int failingCount)
    {
        var plot = PlotStyle.Create(title, "sentence BLEU-4 against the canonical solution", "share of the group");
        var width = binEdges[1] - binEdges[0];
        void Add(double[] shares, Color color, string label)
        {
            var bars = shares.Select((s, i) => new Bar { Position = binEdges[i] + width / 2, Value = s, Size = width * 0.92, FillColor = color.WithAlpha(0.55), LineWidth = 0 }).ToArray();
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = color.WithAlpha(0.55) });
        }
        Add(failing, PlotStyle.ForClass("assertion"), $"failing ({failingCount})");
        Add(passing, PlotStyle.ForClass("passed"), $"passing ({passingCount})");
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.SetLimitsX(0, 1);
        plot.Axes.SetLimitsY(0, Math.Max(0.05, Math.Max(passing.DefaultIfEmpty().Max(), failing.DefaultIfEmpty().Max()) * 1.1));
        return plot;
    }

    /// <summary>Per problem, mean BLEU of its failing samples (x) against that of its passing ones (y), with y = x.</summary>
    public static Plot BleuPerProblem(string title, double[] failingMeans, double[] passingMeans)
    {
        var plot = PlotStyle.Create(title, "mean BLEU of failing samples", "mean BLEU of passing samples");
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LineColor = Colors.Gray;
        var points = plot.Add.ScatterPoints(failingMeans, passingMeans, PlotStyle.Palette[0].WithAlpha(0.7));
        points.MarkerSize = 7;
        points.MarkerLineWidth = 0;
        plot.Axes.SetLimits(0, 1, 0, 1);
        return plot;
    }

    /// <summary>Each problem's pass-rate difference (A − B), sorted: the problems won above zero, lost below.</summary>
    public static Plot Differences(string title, double[] sortedDifferences)
    {
        var plot = PlotStyle.Create(title, "problems, sorted by difference", "pass rate of A − pass rate of B");
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        var bars = sortedDifferences.Select((d, i) => new Bar
        {
            Position = i, Value = d, Size = 1.0, LineWidth = 0,
            FillColor = d > 0 ? PlotStyle.Palette[0] : d < 0 ? PlotStyle.Palette[1] : Colors.Gray,
        }).ToArray();
        plot.Add.Bars(bars);
        plot.Add.HorizontalLine(0, 1, Colors.Black);
        plot.Axes.SetLimitsX(-0.5, sortedDifferences.Length - 0.5);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var y = -1.0; y <= 1.0001; y += 0.25) ticks.AddMajor(y, y == 0 ? "0" : $"{(y > 0 ? "+" : "−")}{Math.Abs(y) * 100:0}%");
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimitsY(-1.05, 1.05);
        return plot;
    }
}
