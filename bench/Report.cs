// The report: every figure in report.json, a short summary in report.md. Missing figures are null (NaN in
// memory), never zero: a zero would read as a measurement.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bench;

public sealed record MachineInfo(
    int ProcessorCount,
    long MemoryMiB,
    string Os,
    string Kernel,
    string DockerVersion,
    string ComposeVersion,
    string WrkVersion,
    string DotnetVersion,
    string LoadAverageAtStart,
    IReadOnlyDictionary<string, string> Images);

public sealed record CeilingReport(
    int Threads,
    int Connections,
    double DurationSeconds,
    WrkResult ApiThroughNginx,
    WrkResult NginxReturn200,
    double RpsRatio,
    double P50Ratio,
    double P99Ratio,
    IReadOnlyList<CeilingRound> Rounds,
    WrkResult NginxReturn200AfterMarkerCheck,
    double MarkerCheckRpsRatio);

/// <summary>
/// One API run and the nginx runs right after it; RpsRatio is API / nginx for this pair, MarkerCheckRpsRatio nginx with
/// the active-slot marker check / nginx without it.
/// </summary>
public sealed record CeilingRound(
    int Round,
    WrkResult ApiThroughNginx,
    WrkResult NginxReturn200,
    double RpsRatio,
    WrkResult NginxReturn200AfterMarkerCheck,
    double MarkerCheckRpsRatio);

/// <summary>One swap, as swap.ps1 recorded it, reduced to the four timings the report gives (docs/bench.md).</summary>
public sealed record SwapRun(
    int Index,
    string FromSlot,
    string ToSlot,
    int ExitCode,
    string? Result,
    double StartToReadyMs,
    double ReadyToTrafficMs,
    double DrainMs,
    double TotalMs,
    double WallMs,
    DateTimeOffset? SwitchedAt,
    IReadOnlyList<SwapStep> Steps)
{
    /// <summary>
    /// From the new slot's container start (Docker's State.StartedAt) to the end of its first passing health check
    /// (State.Health.Log): what the gate waits for, seen by Docker. NaN when not read.
    /// </summary>
    public double ContainerStartToReadyMs { get; init; } = double.NaN;

    /// <summary>The drain step passed and the record has no "not drained" warning: it observed 0 in flight.</summary>
    public bool Drained { get; init; }
}

public sealed record SwapStep(string Name, double DurationMs, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt);

public sealed record SwapTimingsReport(
    int Swaps,
    int Failed,
    MedianMax StartToReadyMs,
    MedianMax ReadyToTrafficMs,
    MedianMax DrainMs,
    MedianMax TotalMs,
    IReadOnlyList<SwapRun> Runs);

public sealed record LoadPhase(
    string Name,
    double RatePerSecond,
    double DurationSeconds,
    int Requests,
    int Failed,
    IReadOnlyDictionary<string, int> FailuresByKind,
    LatencySummary Latency);

public sealed record SwapLatencyReport(
    double RatePerSecond,
    double WindowSeconds,
    LoadPhase Steady,
    LoadPhase AroundSwitches,
    LoadPhase WholeSwapPhase,
    LoadPhase BetweenSwaps,
    double P50Ratio,
    double P99Ratio,
    double MaxRatio,
    double P99RatioToBetweenSwaps,
    LoadPhase? WhileStarting = null,
    double P99RatioWhileStarting = double.NaN);

public sealed record SlotCostReport(
    MedianMax StartToReadyMs,
    IReadOnlyDictionary<string, double> RssIdleMiB,
    IReadOnlyDictionary<string, double> RssUnderLoadMiB,
    string RssSource,
    IReadOnlyDictionary<string, double> DockerStatsIdleMiB,
    IReadOnlyDictionary<string, double> DockerStatsUnderLoadMiB);

public sealed record BenchReport(
    string Mode,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    MachineInfo Machine,
    CeilingReport? Ceiling,
    SwapTimingsReport? SwapTimings,
    SwapLatencyReport? SwapLatency,
    SlotCostReport? SlotCost,
    SwapTimeline? Picture,
    long TotalErrors,
    IReadOnlyList<string> Notes,
    SideBySideReport? SideBySide = null,
    Http2Report? Http2 = null,
    IReadOnlyList<TargetRow>? Targets = null);

public static class ReportWriter
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new NaNAsNullConverter(), new JsonStringEnumConverter() },
    };

    public static string ToJson(BenchReport r) => JsonSerializer.Serialize(r, Json);

    public static string ToMarkdown(BenchReport r)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        md.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark ({r.Mode} mode), {r.StartedAt:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {m.ProcessorCount} CPUs, {m.MemoryMiB} MiB, {m.Os}, kernel {m.Kernel}; Docker {m.DockerVersion}, " +
            $"compose {m.ComposeVersion}; {m.WrkVersion}; bench runtime {m.DotnetVersion}. " +
            $"Load average at start (1/5/15 min): {m.LoadAverageAtStart}.");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Images: {string.Join(", ", m.Images.Select(kv => $"{kv.Key}=`{kv.Value}`"))}.");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Run time {r.DurationSeconds:0} s. **Errors counted in the whole run: {r.TotalErrors}.**");
        md.AppendLine();

        if (r.Targets is { Count: > 0 } targets)
        {
            md.AppendLine("## Targets");
            md.AppendLine();
            md.AppendLine("| target | bound | this run | met | baseline (before) |");
            md.AppendLine("|---|---|---:|---|---|");
            foreach (var t in targets)
            {
                var met = t.Met switch { true => "yes", false => "**no**", null => "n/a" };
                md.AppendLine(CultureInfo.InvariantCulture, $"| {t.Target} | {t.Bound} | {N(t.Value)} {t.Unit} | {met} | {t.Baseline} |");
            }

            md.AppendLine();
        }

        if (r.SideBySide is { } sb)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"## Throughput side by side (plain HTTP through one nginx on the host network; wrk, {sb.Threads} threads, " +
                $"{sb.Connections} connections, {sb.Rounds.Count} alternating rounds of {sb.DurationSeconds:0} s per target)");
            md.AppendLine();
            md.AppendLine("| behind nginx | req/s | p50 ms | p99 ms | max ms | errors |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            Row(md, "the API's /profile (serving slot, production settings)", sb.Api);
            Row(md, "trivial upstream (nginx `return 200`)", sb.Trivial);
            Row(md, $"the original: Django + DRF on gunicorn, 3 sync workers ({sb.DjangoVersions})", sb.Django);
            Row(md, "the API with the per-request console log on (before)", sb.ApiRequestLogOn);
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"API ÷ trivial upstream **{N(sb.ApiToTrivial)}x** (rounds {string.Join(", ", sb.Rounds.Select(x => N(x.ApiToTrivial)))}); " +
                $"API ÷ Django **{N(sb.ApiToDjango)}x** (rounds {string.Join(", ", sb.Rounds.Select(x => N(x.ApiToDjango)))}). " +
                $"With the per-request log on: {N(sb.ApiRequestLogOnToTrivial)}x and {N(sb.ApiRequestLogOnToDjango)}x.");
            md.AppendLine();
        }

        if (r.Http2 is { } h)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"## HTTP/2 clients that never renew their connection ({h.Clients} x {h.RatePerClient:0} req/s, steady phase and all swaps)");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"{h.Requests} requests, **{h.Failed} failed**; p50 {N(h.Latency.P50Ms)} ms, p99 {N(h.Latency.P99Ms)} ms, max " +
                $"{N(h.Latency.MaxMs)} ms. nginx's access log shows {h.NginxRequests} HTTP/2 requests on {h.NginxConnections} " +
                $"connection(s) for {h.Clients} clients (as many connections as clients: none was turned over).");
            if (h.FailuresByKind.Count > 0)
            {
                md.AppendLine("Failures by kind: " + string.Join("; ", h.FailuresByKind.Select(f => $"{f.Key}: {f.Value}")) + ".");
            }

            md.AppendLine();
        }

        if (r.Ceiling is { } c)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"## Throughput ceiling (wrk, {c.Threads} threads, {c.Connections} connections, {c.Rounds.Count} alternating " +
                $"rounds of {c.DurationSeconds:0} s per target; medians of the rounds)");
            md.AppendLine();
            md.AppendLine("| target | req/s | p50 ms | p99 ms | max ms | errors |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            Row(md, "GET /profile through nginx", c.ApiThroughNginx);
            Row(md, "nginx `return 200` itself", c.NginxReturn200);
            Row(md, "nginx `return 200` after the active-slot marker check", c.NginxReturn200AfterMarkerCheck);
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"The API through nginx serves **{Pct(c.RpsRatio)}** of what nginx alone serves (median ratio of the rounds " +
                $"{N(c.RpsRatio)}; per round {string.Join(", ", c.Rounds.Select(r => N(r.RpsRatio)))}); " +
                $"p50 latency is {N(c.P50Ratio)}x and p99 {N(c.P99Ratio)}x nginx's own.");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"The per-request choice of slot (stat() calls of the marker files, which is what lets a swap skip the " +
                $"reload) leaves nginx **{Pct(c.MarkerCheckRpsRatio)}** of its own throughput (median ratio " +
                $"{N(c.MarkerCheckRpsRatio)}; per round " +
                $"{string.Join(", ", c.Rounds.Select(r => N(r.MarkerCheckRpsRatio)))}).");
            md.AppendLine();
        }

        if (r.SwapTimings is { } s)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Swap timings ({s.Swaps} swaps, {s.Failed} failed; from the history entries swap.ps1 appends)");
            md.AppendLine();
            md.AppendLine("| step | median ms | max ms |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| idle slot start to ready | {N(s.StartToReadyMs.Median)} | {N(s.StartToReadyMs.Max)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| ready to traffic fully on the new slot | {N(s.ReadyToTrafficMs.Median)} | {N(s.ReadyToTrafficMs.Max)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| drain | {N(s.DrainMs.Median)} | {N(s.DrainMs.Max)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| total swap (no image build) | {N(s.TotalMs.Median)} | {N(s.TotalMs.Max)} |");
            md.AppendLine();
        }

        if (r.SwapLatency is { } l)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"## Latency at a fixed {l.RatePerSecond:0} req/s (open loop): swaps against steady state");
            md.AppendLine();
            md.AppendLine("| phase | requests | failed | p50 ms | p99 ms | max ms |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var p in new[] { l.Steady, l.AroundSwitches, l.WhileStarting, l.WholeSwapPhase, l.BetweenSwaps }.OfType<LoadPhase>())
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {p.Name} | {p.Requests} | {p.Failed} | {N(p.Latency.P50Ms)} | {N(p.Latency.P99Ms)} | {N(p.Latency.MaxMs)} |");
            }

            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Within ±{l.WindowSeconds:0.#} s of a switch, p50 is {N(l.P50Ratio)}x, p99 {N(l.P99Ratio)}x and max " +
                $"{N(l.MaxRatio)}x steady state; while the new slot starts, p99 is {N(l.P99RatioWhileStarting)}x. Against the pauses between swaps of the same phase (same " +
                $"background load on a shared machine, no swap running), p99 around a switch is {N(l.P99RatioToBetweenSwaps)}x.");
            var failures = l.Steady.FailuresByKind.Concat(l.WholeSwapPhase.FailuresByKind).ToList();
            if (failures.Count > 0)
            {
                md.AppendLine();
                md.AppendLine("Failures by kind: " + string.Join("; ", failures.Select(f => $"{f.Key}: {f.Value}")) + ".");
            }

            md.AppendLine();
        }

        if (r.SlotCost is { } sc)
        {
            md.AppendLine("## Cost of a slot");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Gate step (Docker's health check, smoke test, check through nginx, warm-up): median {N(sc.StartToReadyMs.Median)} ms, max {N(sc.StartToReadyMs.Max)} ms. Container start to ready (first passing health check) is in the targets table.");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"RSS ({sc.RssSource}): idle {string.Join(", ", sc.RssIdleMiB.Select(kv => $"{kv.Key} {N(kv.Value)} MiB"))}; " +
                $"under load {string.Join(", ", sc.RssUnderLoadMiB.Select(kv => $"{kv.Key} {N(kv.Value)} MiB"))}. " +
                $"`docker stats` memory (includes some page cache): idle " +
                $"{string.Join(", ", sc.DockerStatsIdleMiB.Select(kv => $"{kv.Key} {N(kv.Value)} MiB"))}, under load " +
                $"{string.Join(", ", sc.DockerStatsUnderLoadMiB.Select(kv => $"{kv.Key} {N(kv.Value)} MiB"))}.");
            md.AppendLine();
        }

        if (r.Picture is { } pic)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"![One swap: traffic per slot, errors and p99 latency](swap.svg)  \nOne swap, {pic.FromSlot} to {pic.ToSlot}: " +
                $"{pic.Requests} requests, {pic.Errors} failed.");
            md.AppendLine();
        }

        foreach (var n in r.Notes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {n}");
        }

        return md.ToString();
    }

    private static void Row(StringBuilder md, string name, WrkResult w) =>
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {w.RequestsPerSecond:0} | {N(w.LatencyP50Ms)} | {N(w.LatencyP99Ms)} | {N(w.LatencyMaxMs)} | {w.Errors} |");

    public static string N(double v) => double.IsNaN(v) ? "n/a" : v.ToString(v >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static string Pct(double ratio) => double.IsNaN(ratio) ? "n/a" : (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    /// <summary>JSON has no NaN: a figure that could not be measured is written as null.</summary>
    private sealed class NaNAsNullConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteNumberValue(value);
            }
        }

        public override bool HandleNull => true;
    }
}
