// The targets the benchmark checks, each with its value in this run, the bound, whether it is met, and the baseline:
// the figure before the work on these targets. Where a ratio is claimed, the baseline is measured in the same run
// (the serving slot's copy with the per-request console log on, the API's setting before); the others are the last
// published full run before that work (bench/report/ of 2026-12-02 02:26 UTC, 10 swaps on 2 cores), named as such.
namespace Bench;

public sealed record TargetRow(string Target, string Bound, double Value, string Unit, bool? Met, string Baseline);

public static class Targets
{
    /// <summary>Where the fixed baselines come from.</summary>
    public const string PublishedBefore = "published run 2026-12-02 02:26 UTC";

    public static IReadOnlyList<TargetRow> Build(SideBySideReport sbs, SwapTimingsReport timings, SwapLatencyReport latency,
        SlotCostReport slot, Http2Report http2)
    {
        var ok = timings.Runs.Where(r => r.ExitCode == 0).ToList();
        var containerReady = Stats.MedianMax(ok.Select(r => r.ContainerStartToReadyMs));
        var gate = Stats.MedianMax(ok.Select(r => r.Steps.Where(s => SwapDriver.IsStep(s, "gate"))
            .Sum(s => s.DurationMs)));
        var rss = slot.RssUnderLoadMiB.Values.DefaultIfEmpty(double.NaN).Max();
        return
        [
            Row("new slot: container start to ready (median)", "<= 2 s", containerReady.Median / 1000, "s", v => v <= 2,
                $"3.7 s ({PublishedBefore}: step 4, which then held the container's start to ready)"),
            Row("gate step (median)", "<= 3 s", gate.Median / 1000, "s", v => v <= 3,
                $"3.8 s ({PublishedBefore})"),
            Row("whole swap without an image build (median)", "<= 5 s", timings.TotalMs.Median / 1000, "s", v => v <= 5,
                $"11.7 s ({PublishedBefore})"),
            Row("swaps whose drain observed 0 in flight", $"all {ok.Count}", ok.Count(r => r.Drained), "swaps",
                v => ok.Count > 0 && v == ok.Count, $"10 of 10 ({PublishedBefore})"),
            Row("p99 within ±2 s of a switch ÷ steady p99", "<= 2x", latency.P99Ratio, "x", v => v <= 2,
                $"9.65x ({PublishedBefore})"),
            Row("p99 while the new slot starts (start and gate steps) ÷ steady p99", "<= 2x", latency.P99RatioWhileStarting, "x",
                v => v <= 2, $"not measured then; the picture of {PublishedBefore} shows the spike there"),
            Row("GET /profile through nginx ÷ trivial upstream, req/s", ">= 0.7x", sbs.ApiToTrivial, "x", v => v >= 0.7,
                $"{ReportWriter.N(sbs.ApiRequestLogOnToTrivial)}x this run (per-request log on); 0.34x measured before"),
            Row("GET /profile through nginx ÷ Django + DRF on gunicorn, req/s", ">= 10x", sbs.ApiToDjango, "x",
                v => v >= 10, $"{ReportWriter.N(sbs.ApiRequestLogOnToDjango)}x this run (per-request log on); 6.3x measured before"),
            Row("slot RSS under load", "<= 120 MB", rss, "MiB", v => v <= 120, $"43.5 MiB ({PublishedBefore})"),
            Row($"HTTP/2 streams failed, {http2.Clients} clients never renewing, whole run with swaps", "0",
                http2.Failed, $"of {http2.Requests}", v => v == 0 && http2.Requests > 0,
                "about 1 % of streams at keepalive_requests 1000 (measured before, no swaps)"),
        ];
    }

    private static TargetRow Row(string target, string bound, double value, string unit, Func<double, bool> met,
        string baseline) =>
        new(target, bound, Stats.Round(value), unit, double.IsNaN(value) ? null : met(value), baseline);
}
