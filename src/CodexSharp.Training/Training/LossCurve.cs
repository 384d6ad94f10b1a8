using ScottPlot;

namespace CodexSharp.Training.Training;

/// <summary>The loss curve of a run as an SVG: training loss per step and validation loss at each evaluation.</summary>
internal static class LossCurve
{
    public static void Write(string path, IReadOnlyList<(int Step, double Loss)> train, IReadOnlyList<(int Step, double Loss)> validation)
    {
        if (train.Count == 0) return;
        using var plot = new Plot();
        var trainLine = plot.Add.ScatterLine(train.Select(p => (double)p.Step).ToArray(), train.Select(p => p.Loss).ToArray());
        trainLine.LegendText = "train loss";
        trainLine.LineWidth = 1;
        if (validation.Count > 0)
        {
            var validationLine = plot.Add.Scatter(validation.Select(p => (double)p.Step).ToArray(), validation.Select(p => p.Loss).ToArray());
            validationLine.LegendText = "val loss";
            validationLine.LineWidth = 2;
        }
        plot.XLabel("step");
        plot.YLabel("loss (nats/token)");
        plot.ShowLegend();
        var svg = plot.GetSvgXml(800, 500);
        CodexSharp.Core.Io.AtomicFile.WriteAllText(path, svg);
    }
}
