using System.Globalization;
using System.Net;
using System.Text;

namespace ContinuityHub.Features.Dashboard;

/// <summary>One month of the trend: its engaged rate (null while nothing in it is decided) and the counts behind it.</summary>
public sealed record TrendPoint(string Label, decimal? Rate, int Engaged, int Decided);

/// <summary>
/// The month-by-month engaged rate as inline SVG, against the target line. Readable without colour: the
/// target is a dashed, labelled line, each month's rate is printed above its marker, months with nothing
/// decided are marked "–", and the same figures are in the table under the chart.
/// </summary>
public static class TrendChart
{
    private const int Width = 760, Height = 300, Left = 48, Right = 40, Top = 24, Bottom = 56;

    public static string Render(IReadOnlyList<TrendPoint> points, decimal target)
    {
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double Y(decimal rate) => Top + plotHeight * (1 - (double)rate);
        double X(int index) => Left + (points.Count == 1 ? plotWidth / 2.0 : plotWidth * index / (double)(points.Count - 1));
        static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg role=\"img\" aria-labelledby=\"trend-title trend-desc\" viewBox=\"0 0 {Width} {Height}\" class=\"hub-chart\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append("<title id=\"trend-title\">Engaged within 21 days, by month of release</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<desc id=\"trend-desc\">{WebUtility.HtmlEncode(Describe(points, target))}</desc>");

        // Axes and gridlines every 25 %.
        foreach (var tick in new[] { 0m, 0.25m, 0.5m, 0.75m, 1m })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Y(tick))}\" y2=\"{F(Y(tick))}\" stroke=\"#dddddd\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(Y(tick) + 4)}\" text-anchor=\"end\" font-size=\"12\">{Percent(tick, 0)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Top + plotHeight}\" stroke=\"#0b0c0c\"/>");

        // The target: dashed and labelled, so it reads in greyscale.
        svg.Append(CultureInfo.InvariantCulture,
            $"<line class=\"target\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Y(target))}\" y2=\"{F(Y(target))}\" stroke=\"#0b0c0c\" stroke-width=\"2\" stroke-dasharray=\"8 6\"/>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Width - Right}\" y=\"{F(Y(target) - 6)}\" text-anchor=\"end\" font-size=\"13\" font-weight=\"bold\">Target {Percent(target, 0)}</text>");

        // The rate line joins consecutive decided months only; a gap stays a gap.
        var segment = new List<string>();
        void Flush()
        {
            if (segment.Count > 1)
                svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"rate\" fill=\"none\" stroke=\"#1d70b8\" stroke-width=\"3\" points=\"{string.Join(' ', segment)}\"/>");
            segment.Clear();
        }
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].Rate is { } rate) segment.Add($"{F(X(i))},{F(Y(rate))}");
            else Flush();
        }
        Flush();

        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            var x = X(i);
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{F(x)}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(point.Label)}</text>");
            if (point.Rate is { } rate)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<circle class=\"point\" cx=\"{F(x)}\" cy=\"{F(Y(rate))}\" r=\"5\" fill=\"#1d70b8\" stroke=\"#0b0c0c\"><title>{WebUtility.HtmlEncode(point.Label)}: {Percent(rate, 1)} ({point.Engaged} of {point.Decided})</title></circle>");
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{F(x)}\" y=\"{F(Y(rate) - 10)}\" text-anchor=\"middle\" font-size=\"12\">{Percent(rate, 0)}</text>");
            }
            else
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{F(Y(0) - 6)}\" text-anchor=\"middle\" font-size=\"12\">–</text>");
            }
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>"67.3%": the form the dashboard uses everywhere (no culture-dependent spacing).</summary>
    public static string Percent(decimal fraction, int decimals) =>
        (fraction * 100).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%";

    /// <summary>The chart in words, for screen readers.</summary>
    private static string Describe(IReadOnlyList<TrendPoint> points, decimal target) =>
        $"Target {Percent(target, 0)}. " + string.Join("; ", points.Select(p =>
            $"{p.Label}: {(p.Rate is { } rate ? $"{Percent(rate, 1)} ({p.Engaged} of {p.Decided})" : "nothing decided")}"));
}
