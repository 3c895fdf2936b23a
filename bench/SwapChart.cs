// The picture of one swap, as hand-written SVG (no chart library): stacked requests/s per slot on top, errors
// in a strip below it, p99 latency at the bottom, and the swap's steps as dashed vertical lines across all three.
// It is meant to be read at a glance: the blue area hands over to the green one and the error strip stays empty.
using System.Globalization;
using System.Text;

namespace Bench;

public static class SwapChart
{
    private const string BlueColor = "#2563eb";
    private const string GreenColor = "#16a34a";
    private const string OtherColor = "#9ca3af";
    private const string ErrorColor = "#dc2626";
    private const string LatencyColor = "#7c3aed";

    private const double Width = 960;
    private const double Left = 70;
    private const double Right = 24;
    private const double PlotWidth = Width - Left - Right;

    // Vertical layout: title, rps panel, errors strip, latency panel, x axis, legend.
    // Marks' labels sit in a band of their own above the plots, so that they never cover data.
    private const int LabelRows = 5;
    private const double LabelRowHeight = 14;
    private const double RpsTop = 64 + LabelRows * LabelRowHeight + 6;
    private const double RpsHeight = 250;
    private const double ErrTop = RpsTop + RpsHeight + 18;
    private const double ErrHeight = 40;
    private const double LatTop = ErrTop + ErrHeight + 18;
    private const double LatHeight = 130;
    private const double AxisY = LatTop + LatHeight;
    private const double Height = AxisY + 64;

    public static string Render(SwapTimeline t, string subtitle)
    {
        var b = t.Buckets;
        var duration = b.Count * t.BucketSeconds;
        double X(double seconds) => Left + seconds / duration * PlotWidth;

        var (maxRps, rpsTicks) = NiceAxis(b.Select(x => x.BlueRps + x.GreenRps + x.OtherRps).DefaultIfEmpty(0).Max() * 1.1);
        var latencies = b.Select(x => x.P99Ms).Where(v => !double.IsNaN(v)).ToList();
        var (maxLat, latTicks) = NiceAxis(latencies.DefaultIfEmpty(1).Max() * 1.1);
        var maxErr = Math.Max(1, b.Select(x => x.Errors).DefaultIfEmpty(0).Max());

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">""");
        svg.Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{Height}" fill="#ffffff"/>""").Append('\n');
        Text(svg, Left, 26, $"One swap, {t.FromSlot} → {t.ToSlot}, under a fixed {F(t.RatePerSecond)} req/s", 17, "bold");
        Text(svg, Left, 48, subtitle, 12, "normal", "#374151");

        // Requests per second per slot, stacked: blue at the bottom, green on top, anything unattributed above.
        Frame(svg, RpsTop, RpsHeight, "requests/s per slot", maxRps, rpsTicks, F);
        double YRps(double v) => RpsTop + RpsHeight - v / maxRps * RpsHeight;
        var zero = new double[b.Count];
        var blueTop = b.Select(x => x.BlueRps).ToArray();
        var greenTop = b.Select((x, i) => blueTop[i] + x.GreenRps).ToArray();
        var otherTop = b.Select((x, i) => greenTop[i] + x.OtherRps).ToArray();
        Area(svg, b, t.BucketSeconds, X, YRps, zero, blueTop, BlueColor);
        Area(svg, b, t.BucketSeconds, X, YRps, blueTop, greenTop, GreenColor);
        if (b.Any(x => x.OtherRps > 0))
        {
            Area(svg, b, t.BucketSeconds, X, YRps, greenTop, otherTop, OtherColor);
        }

        // Errors per bucket: red bars. An empty strip is the point of the picture, so it says so in words.
        Frame(svg, ErrTop, ErrHeight, "errors", maxErr, 1, v => F(v));
        foreach (var (x, i) in b.Select((x, i) => (x, i)).Where(p => p.x.Errors > 0))
        {
            var h = x.Errors / (double)maxErr * ErrHeight;
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect x="{F(X(i * t.BucketSeconds))}" y="{F(ErrTop + ErrHeight - h)}" width="{F(Math.Max(1.5, X(t.BucketSeconds) - X(0) - 1))}" height="{F(h)}" fill="{ErrorColor}"/>""");
            svg.Append('\n');
        }

        Text(svg, Left + 8, ErrTop + ErrHeight / 2 + 5,
            t.Errors == 0 ? $"0 failed of {t.Requests} requests" : $"{t.Errors} failed of {t.Requests} requests",
            13, "bold", t.Errors == 0 ? "#15803d" : ErrorColor);

        // p99 latency per bucket, measured from when each request was due (open loop).
        Frame(svg, LatTop, LatHeight, "p99 latency (ms)", maxLat, latTicks, F);
        double YLat(double v) => LatTop + LatHeight - Math.Min(v, maxLat) / maxLat * LatHeight;
        var points = b.Select((x, i) => (x, i)).Where(p => !double.IsNaN(p.x.P99Ms))
            .Select(p => $"{F(X((p.i + 0.5) * t.BucketSeconds))},{F(YLat(p.x.P99Ms))}");
        svg.Append(CultureInfo.InvariantCulture,
            $"""<polyline points="{string.Join(' ', points)}" fill="none" stroke="{LatencyColor}" stroke-width="1.8"/>""");
        svg.Append('\n');

        // X axis: seconds.
        var step = NiceStep(duration / 10);
        for (var s = 0.0; s <= duration + 1e-9; s += step)
        {
            Line(svg, X(s), AxisY, X(s), AxisY + 5, "#374151", 1);
            Text(svg, X(s) - 8, AxisY + 18, F(s), 11, "normal", "#374151");
        }

        Text(svg, Left + PlotWidth / 2 - 40, AxisY + 34, "time (s)", 12, "normal", "#374151");

        // The swap's steps: dashed lines through every panel. Labels go to the first row where they overlap no other
        // label (text width estimated from its length), so that marks close together stay legible.
        var rows = new List<List<(double From, double To)>>();
        var labels = new StringBuilder();
        foreach (var m in t.Marks.OrderBy(m => m.AtSeconds))
        {
            var x = X(m.AtSeconds);
            var width = m.Label.Length * 6.4 + 8;
            var anchorEnd = x + width > Left + PlotWidth;
            var extent = anchorEnd ? (From: x - width, To: x) : (From: x, To: x + width);
            var row = rows.FindIndex(r => r.All(e => e.To <= extent.From || e.From >= extent.To));
            if (row < 0 && rows.Count < LabelRows)
            {
                rows.Add([]);
                row = rows.Count - 1;
            }

            // More marks than rows: the last row takes the rest (overlapping) rather than the plot.
            row = row < 0 ? LabelRows - 1 : row;
            rows[row].Add(extent);
            var labelY = RpsTop - 8 - row * LabelRowHeight;
            // The line starts at its label, so each label is attached to its own line.
            svg.Append(CultureInfo.InvariantCulture,
                $"""<line x1="{F(x)}" y1="{F(labelY - 10)}" x2="{F(x)}" y2="{F(AxisY)}" stroke="#111827" stroke-width="1.2" stroke-dasharray="5,4"/>""");
            svg.Append('\n');
            // An opaque box behind the text: lines of marks whose labels sit higher cross this row.
            labels.Append(CultureInfo.InvariantCulture,
                $"""<rect x="{F(extent.From + 1)}" y="{F(labelY - 10)}" width="{F(width - 2)}" height="13" fill="#ffffff"/>""");
            labels.Append(CultureInfo.InvariantCulture,
                $"""<text x="{F(anchorEnd ? x - 4 : x + 4)}" y="{F(labelY)}" font-size="11" fill="#111827" text-anchor="{(anchorEnd ? "end" : "start")}" paint-order="stroke" stroke="#ffffff" stroke-width="3">{Escape(m.Label)}</text>""");
            labels.Append('\n');
        }

        // Labels after all lines: a later mark's line must not run through an earlier mark's label.
        svg.Append(labels);

        // Legend.
        var ly = AxisY + 50;
        var lx = Left;
        foreach (var (color, label) in new[]
                 {
                     (BlueColor, "blue slot (req/s)"), (GreenColor, "green slot (req/s)"),
                     (ErrorColor, "failed requests"), (LatencyColor, "p99 latency"),
                 })
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect x="{F(lx)}" y="{F(ly - 10)}" width="14" height="12" fill="{color}"/>""");
            Text(svg, lx + 20, ly, label, 12, "normal", "#111827");
            lx += 170;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Area(StringBuilder svg, IReadOnlyList<TimelineBucket> b, double bucketSeconds,
        Func<double, double> x, Func<double, double> y, double[] lower, double[] upper, string color)
    {
        if (b.Count == 0)
        {
            return;
        }

        // A step shape: each bucket is a flat segment, which is what a count per bucket is.
        var top = new List<string>();
        var bottom = new List<string>();
        for (var i = 0; i < b.Count; i++)
        {
            var x0 = F(x(i * bucketSeconds));
            var x1 = F(x((i + 1) * bucketSeconds));
            top.Add($"{x0},{F(y(upper[i]))}");
            top.Add($"{x1},{F(y(upper[i]))}");
            bottom.Add($"{x0},{F(y(lower[i]))}");
            bottom.Add($"{x1},{F(y(lower[i]))}");
        }

        bottom.Reverse();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<polygon points="{string.Join(' ', top.Concat(bottom))}" fill="{color}" fill-opacity="0.85" stroke="{color}" stroke-width="0.5"/>""");
        svg.Append('\n');
    }

    private static void Frame(StringBuilder svg, double top, double height, string label, double max, int ticks,
        Func<double, string> fmt)
    {
        svg.Append(CultureInfo.InvariantCulture,
            $"""<rect x="{F(Left)}" y="{F(top)}" width="{F(PlotWidth)}" height="{F(height)}" fill="#f9fafb" stroke="#d1d5db"/>""");
        svg.Append('\n');
        for (var i = 0; i <= ticks; i++)
        {
            var v = max * i / ticks;
            var y = top + height - height * i / ticks;
            if (i > 0 && i < ticks)
            {
                Line(svg, Left, y, Left + PlotWidth, y, "#e5e7eb", 1);
            }

            Text(svg, Left - 8, y + 4, fmt(v), 11, "normal", "#374151", "end");
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="{F(Left - 52)}" y="{F(top + height / 2)}" font-size="11" fill="#374151" text-anchor="middle" transform="rotate(-90 {F(Left - 52)} {F(top + height / 2)})">{Escape(label)}</text>""");
        svg.Append('\n');
    }

    private static void Line(StringBuilder svg, double x1, double y1, double x2, double y2, string color, double w) =>
        svg.Append(CultureInfo.InvariantCulture,
            $"""<line x1="{F(x1)}" y1="{F(y1)}" x2="{F(x2)}" y2="{F(y2)}" stroke="{color}" stroke-width="{F(w)}"/>""").Append('\n');

    private static void Text(StringBuilder svg, double x, double y, string text, double size, string weight,
        string color = "#111827", string anchor = "start") =>
        svg.Append(CultureInfo.InvariantCulture,
            $"""<text x="{F(x)}" y="{F(y)}" font-size="{F(size)}" font-weight="{weight}" fill="{color}" text-anchor="{anchor}">{Escape(text)}</text>""").Append('\n');

    private static string Escape(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    private static string F(double v) =>
        Math.Abs(v - Math.Round(v)) < 1e-6 ? Math.Round(v).ToString(CultureInfo.InvariantCulture)
            : v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>1, 2 or 5 times a power of ten, at least v: axis maxima that read well.</summary>
    private static double NiceCeiling(double v)
    {
        if (v <= 0 || double.IsNaN(v))
        {
            return 1;
        }

        var p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (m * p >= v)
            {
                return m * p;
            }
        }

        return 10 * p;
    }

    private static double NiceStep(double v) => NiceCeiling(v);

    /// <summary>An axis maximum of at most 6 ticks whose step is 1, 2 or 5 times a power of ten: 0, 50, ... 250.</summary>
    private static (double Max, int Ticks) NiceAxis(double v)
    {
        if (v <= 0 || double.IsNaN(v))
        {
            return (1, 1);
        }

        var step = NiceCeiling(v / 5);
        var ticks = (int)Math.Ceiling(v / step - 1e-9);
        return (ticks * step, Math.Max(1, ticks));
    }
}
