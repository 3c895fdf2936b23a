// Turns the samples of one swap into the series the picture shows: requests per second per slot, errors and
// p99 latency per time bucket, plus the swap's steps as marks.
namespace Bench;

public sealed record TimelineBucket(
    double StartSeconds, double BlueRps, double GreenRps, double OtherRps, int Errors, double P99Ms);

public sealed record TimelineMark(double AtSeconds, string Label);

public sealed record SwapTimeline(
    string FromSlot,
    string ToSlot,
    double RatePerSecond,
    double BucketSeconds,
    int Requests,
    int Errors,
    IReadOnlyList<TimelineBucket> Buckets,
    IReadOnlyList<TimelineMark> Marks);

public static class Timeline
{
    /// <summary>
    /// Buckets the samples by the time each request was due, from <paramref name="fromMs"/> to
    /// <paramref name="toMs"/> on the bench clock; marks are given on the same clock and made relative to fromMs.
    /// </summary>
    public static SwapTimeline Build(
        IEnumerable<Sample> samples,
        double fromMs,
        double toMs,
        double bucketSeconds,
        double ratePerSecond,
        string fromSlot,
        string toSlot,
        IEnumerable<(double AtMs, string Label)> marks)
    {
        var bucketMs = bucketSeconds * 1000.0;
        var bucketCount = Math.Max(1, (int)Math.Ceiling((toMs - fromMs) / bucketMs));
        // Whole buckets only: a last, partial bucket would show as a dip in requests/s that never happened.
        toMs = fromMs + bucketCount * bucketMs;
        var inWindow = samples.Where(s => s.DueMs >= fromMs && s.DueMs < toMs).ToList();
        var groups = inWindow.GroupBy(s => (int)((s.DueMs - fromMs) / bucketMs)).ToDictionary(g => g.Key, g => g.ToList());
        var buckets = new List<TimelineBucket>(bucketCount);
        for (var i = 0; i < bucketCount; i++)
        {
            var list = groups.TryGetValue(i, out var g) ? g : [];
            var ok = list.Where(s => !s.Failed).ToList();
            buckets.Add(new TimelineBucket(
                Stats.Round(i * bucketSeconds),
                Stats.Round(ok.Count(s => s.Slot == "blue") / bucketSeconds),
                Stats.Round(ok.Count(s => s.Slot == "green") / bucketSeconds),
                Stats.Round(ok.Count(s => s.Slot is not ("blue" or "green")) / bucketSeconds),
                list.Count(s => s.Failed),
                Stats.Round(Stats.Percentile(list.Select(s => s.LatencyMs).ToList(), 99))));
        }

        return new SwapTimeline(
            fromSlot,
            toSlot,
            ratePerSecond,
            bucketSeconds,
            inWindow.Count,
            inWindow.Count(s => s.Failed),
            buckets,
            marks.Where(m => m.AtMs >= fromMs && m.AtMs <= toMs)
                .Select(m => new TimelineMark(Stats.Round((m.AtMs - fromMs) / 1000.0), m.Label))
                .ToList());
    }
}
