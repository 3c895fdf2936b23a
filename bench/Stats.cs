// Order statistics for the report. Percentiles use the nearest-rank method on a sorted copy, so a reported p99
// is always a latency that some request really had (no interpolation between two requests).
namespace Bench;

public static class Stats
{
    /// <summary>Nearest-rank percentile (p in 0..100) of <paramref name="values"/>; NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return PercentileOfSorted(sorted, p);
    }

    public static double PercentileOfSorted(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    public static double Max(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Max();

    /// <summary>Median and max of a series, the pair every swap timing is reported as.</summary>
    public static MedianMax MedianMax(IEnumerable<double> values)
    {
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        return new MedianMax(list.Count, Round(Median(list)), Round(Max(list)));
    }

    public static LatencySummary Latency(IEnumerable<double> latenciesMs)
    {
        var sorted = latenciesMs.Order().ToArray();
        return new LatencySummary(
            sorted.Length,
            Round(PercentileOfSorted(sorted, 50)),
            Round(PercentileOfSorted(sorted, 99)),
            Round(sorted.Length == 0 ? double.NaN : sorted[^1]));
    }

    /// <summary>Rounds to 3 decimals so that the JSON report stays readable; NaN stays NaN (written as null).</summary>
    public static double Round(double v) => double.IsNaN(v) ? v : Math.Round(v, 3);

    /// <summary>a / b, NaN when either is missing or b is zero: a ratio is never invented.</summary>
    public static double Ratio(double a, double b) =>
        double.IsNaN(a) || double.IsNaN(b) || b == 0 ? double.NaN : Round(a / b);
}

public sealed record MedianMax(int Count, double Median, double Max);

public sealed record LatencySummary(int Count, double P50Ms, double P99Ms, double MaxMs);
