using System.Globalization;
using System.Net;
using System.Text;

namespace CodexSharp.Reporting.Html;

/// <summary>
/// Builds the page's HTML. Every number is written by <see cref="Number"/>, which tags it with the JSON Pointer
/// (RFC 6901) of the same number in report.json, so that a reader — or the browser test — can check the page
/// against the file.
/// </summary>
internal sealed class HtmlWriter
{
    private readonly StringBuilder _html = new();

    public HtmlWriter Raw(string html)
    {
        _html.Append(html);
        return this;
    }

    public HtmlWriter Text(string? text)
    {
        _html.Append(Encode(text));
        return this;
    }

    /// <summary>A number with its report.json pointer, shown as a percentage, count or decimal.</summary>
    public HtmlWriter Number(double value, NumberFormat format, params object[] pointer)
    {
        _html.Append("<span class=\"num\" data-key=\"").Append(Encode(Pointer(pointer))).Append("\">")
            .Append(Encode(Format(value, format))).Append("</span>");
        return this;
    }

    /// <summary>An estimate and its interval: "22.1% (17.7–26.7%)".</summary>
    public HtmlWriter Interval(double value, double low, double high, params object[] pointer)
    {
        Number(value, NumberFormat.Percent, [.. pointer, "value"]);
        _html.Append(" <span class=\"ci\">(");
        Number(low, NumberFormat.Percent, [.. pointer, "ci95", "low"]);
        _html.Append(" – ");
        Number(high, NumberFormat.Percent, [.. pointer, "ci95", "high"]);
        _html.Append(")</span>");
        return this;
    }

    public override string ToString() => _html.ToString();

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>"/runs/0/pass_at_k/1/value" from ("runs", 0, "pass_at_k", "1", "value"); '~' and '/' escaped as RFC 6901 says.</summary>
    public static string Pointer(IEnumerable<object> parts) =>
        string.Concat(parts.Select(p => "/" + Convert.ToString(p, CultureInfo.InvariantCulture)!.Replace("~", "~0").Replace("/", "~1")));

    public static string Format(double value, NumberFormat format) => double.IsNaN(value) ? "–" : format switch
    {
        NumberFormat.Percent => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%",
        NumberFormat.SignedPercent => (value >= 0 ? "+" : "−") + (Math.Abs(value) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%",
        NumberFormat.Count => value.ToString("#,0", CultureInfo.InvariantCulture),
        NumberFormat.Decimal3 => value.ToString("0.000", CultureInfo.InvariantCulture),
        NumberFormat.Decimal2 => value.ToString("0.00", CultureInfo.InvariantCulture),
        _ => value.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>How a number is shown.</summary>
internal enum NumberFormat
{
    /// <summary>A rate in [0, 1] as a percentage with one decimal: 22.1%.</summary>
    Percent,

    /// <summary>A difference of rates with its sign: +3.2%, −1.0%.</summary>
    SignedPercent,

    /// <summary>An integer with thousands separators: 16,400.</summary>
    Count,

    /// <summary>Three decimals: 0.312.</summary>
    Decimal3,

    /// <summary>Two decimals: 0.80.</summary>
    Decimal2,
}
