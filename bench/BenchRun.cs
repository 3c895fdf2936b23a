// One benchmark run, in the order the report reads: the stack, the slot's idle cost, the throughput ceiling (and
// the slot's cost under that load), steady open-loop latency, then N swaps under the same open-loop rate. Every
// container, network, volume and image tag it made is removed at the end, whatever happened.
using System.Diagnostics;
using System.Text.Json;
using Docker.Testing;

namespace Bench;

public sealed class BenchRun(BenchOptions o)
{
    private readonly BenchClock _clock = new();
    private readonly List<string> _notes = [];

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        Directory.CreateDirectory(o.OutputDirectory);
        Log($"bench {o.Mode}: output {o.OutputDirectory}");

        var wrkVersion = await Wrk.VersionAsync(ct);
        Log(wrkVersion);
        var images = new Dictionary<string, string>(Images.AsEnvironment());
        var machine = await Machine.DescribeAsync(wrkVersion, images);
        await SwapDriver.RestoreToolsAsync(ct);
        // The original service's image builds (the first time: about a minute of mmdebstrap) while the stack starts.
        var djangoImage = Task.Run(() => SideBySide.BuildDjangoImageAsync(Log, ct), ct);

        Log("starting the compose stack (builds the API image once)");
        await using var stack = await ComposeStack.StartAsync(
            new ComposeStackOptions
            {
                ApiVersion = "bench-1",
                NamePrefix = "zdd-bench",
                // The shipped production behaviour: no /slow endpoint; nothing else differs from the test stacks.
                Environment = new Dictionary<string, string> { ["ENABLE_SLOW_ENDPOINT"] = "false" },
            },
            ct);
        images["API_IMAGE"] = $"{stack.ApiImageRepository}:bench-1 (built from api/Dockerfile)";
        // A second version, so that each swap deploys a version different from the one serving (the gate's smoke
        // test checks it). Only the last layer differs: seconds, and outside every timed figure.
        await ApiImage.BuildAsync(stack.ApiImageRepository, "bench-2", ct);

        using var client = stack.CreateHttpClient();
        var profile = new Uri(stack.HttpsBase, "profile");
        await CheckProfileAsync(client, profile, ct);

        var slotCostIdle = await ReadRssAsync(stack, "blue");
        Log($"api-blue idle RSS {slotCostIdle.RssMiB} MiB ({slotCostIdle.RssSource}), docker stats {slotCostIdle.DockerStatsMiB} MiB");

        // Nothing is measured while the image builds: its build would take the cores from the measurement.
        await djangoImage;
        var (ceiling, rssUnderLoad) = await MeasureCeilingAsync(stack, profile, ct);
        var sideBySide = await SideBySide.MeasureAsync(stack, o.Wrk, o.CeilingRounds, o.Mode == "full", djangoImage, Log, ct);
        var steadySince = DateTimeOffset.UtcNow;

        // HTTP/2 clients that never renew their connections, from the steady phase to the end of the swaps: nginx's
        // connection turnover (keepalive_requests) or a swap would show up as their failed streams.
        using var h2Stop = new CancellationTokenSource();
        var h2 = Http2Load.Start(stack, profile, o.Http2Clients, o.Http2RatePerClient,
            o.SteadyDuration + o.SwapTimeout * o.Swaps + TimeSpan.FromSeconds(60), o.RequestTimeout, _clock, h2Stop.Token, ct);
        Log($"HTTP/2: {o.Http2Clients} clients x {o.Http2RatePerClient} req/s, one connection each, never renewed");
        var steady = await SteadyAsync(client, profile, ct);
        var (swaps, swapSamples) = await SwapsAsync(stack, client, profile, ct);
        await h2Stop.CancelAsync();
        var http2 = await h2.CompleteAsync(stack, steadySince);
        Log($"HTTP/2: {http2.Requests} requests, {http2.Failed} failed, {http2.NginxConnections} HTTP/2 connections " +
            $"in nginx's access log for {http2.Clients} clients");
        var nginxStatuses = await NginxStatusesAsync(stack, steadySince);

        var latency = SwapLatency(steady, swapSamples, swaps, nginxStatuses);
        var timings = SwapTimings(swaps);
        var picture = Picture(swaps, swapSamples);
        var slotCost = new SlotCostReport(
            Stats.MedianMax(swaps.Select(s => s.Steps.Where(x => SwapDriver.IsStep(x, "gate"))
                .Sum(x => x.DurationMs))),
            new Dictionary<string, double> { ["api-blue"] = slotCostIdle.RssMiB },
            new Dictionary<string, double> { ["api-blue"] = rssUnderLoad.RssMiB },
            slotCostIdle.RssSource,
            new Dictionary<string, double> { ["api-blue"] = slotCostIdle.DockerStatsMiB },
            new Dictionary<string, double> { ["api-blue"] = rssUnderLoad.DockerStatsMiB });

        _notes.Add($"Load average at the end (1/5/15 min): {Machine.LoadAverage()}.");
        long totalErrors = ceiling.ApiThroughNginx.Errors + ceiling.NginxReturn200.Errors +
            ceiling.NginxReturn200AfterMarkerCheck.Errors + sideBySide.Rounds.Sum(r =>
                r.Api.Errors + r.Trivial.Errors + r.Django.Errors + r.ApiRequestLogOn.Errors) + http2.Failed +
            steady.Count(s => s.Failed) +
            swapSamples.Count(s => s.Failed) + swaps.Count(s => s.ExitCode != 0) +
            nginxStatuses.Where(kv => !kv.Key.StartsWith('2')).Sum(kv => kv.Value);
        var targets = Targets.Build(sideBySide, timings, latency, slotCost, http2);
        var report = new BenchReport(o.Mode, startedAt, Stats.Round(watch.Elapsed.TotalSeconds), machine, ceiling,
            timings, latency, slotCost, picture, totalErrors, _notes, sideBySide, http2, targets);
        await WriteAsync(report, ct);
        Log($"done in {watch.Elapsed.TotalSeconds:0} s; errors counted: {totalErrors}");
        // 0: measured, nothing failed. 3: measured, and failures were counted (they are in the report).
        return totalErrors == 0 ? 0 : 3;
    }

    private static async Task CheckProfileAsync(HttpClient client, Uri profile, CancellationToken ct)
    {
        using var response = await client.GetAsync(profile, ct);
        var slot = response.Headers.TryGetValues("X-Slot", out var v) ? v.First() : null;
        if ((int)response.StatusCode != 200 || slot is null)
        {
            throw new InvalidOperationException(
                $"GET {profile} answered {(int)response.StatusCode} with X-Slot '{slot}': not a stack to measure");
        }
    }

    private async Task<(CeilingReport Report, SlotMemoryReading RssUnderLoad)> MeasureCeilingAsync(
        ComposeStack stack, Uri profile, CancellationToken ct)
    {
        await using var nginx = await CeilingNginx.StartAsync(stack.ProjectName, Images.Nginx, ct);
        var target = new Uri(nginx.BaseUri, "profile");
        var markerTarget = new Uri(nginx.MarkerCheckUri, "profile");
        var w = o.Wrk;

        // Warm-up (JIT, connection pools, nginx workers), not reported.
        var warm = w with { Duration = TimeSpan.FromSeconds(o.Mode == "full" ? 5 : 1) };
        await Wrk.RunAsync(profile.ToString(), warm, ct);
        await Wrk.RunAsync(target.ToString(), warm, ct);
        await Wrk.RunAsync(markerTarget.ToString(), warm, ct);

        // Alternating rounds (API, nginx, API, nginx, ...): on a shared machine the background load drifts, and
        // alternating makes both targets see the same drift; the medians of the rounds are reported.
        Log($"wrk {w.Threads} threads, {w.Connections} connections, {o.CeilingRounds} x {w.Duration.TotalSeconds:0} s " +
            "each: GET /profile through nginx, alternating with nginx return 200 without and with the marker check " +
            "(bench-only nginx, same image)");
        var rounds = new List<CeilingRound>();
        SlotMemoryReading? rss = null;
        for (var i = 0; i < o.CeilingRounds; i++)
        {
            var rssTask = i == 0
                ? Task.Run(async () =>
                {
                    // Half-way through the first API run: the slot's memory under the ceiling load.
                    await Task.Delay(w.Duration / 2, ct);
                    return await ReadRssAsync(stack, "blue");
                }, ct)
                : null;
            var api = await Wrk.RunAsync(profile.ToString(), w, ct);
            rss ??= rssTask is null ? null : await rssTask;
            // The two nginx targets take turns at going first, so that neither always runs right after the API's load.
            var plainFirst = i % 2 == 0;
            var first = await Wrk.RunAsync((plainFirst ? target : markerTarget).ToString(), w, ct);
            var second = await Wrk.RunAsync((plainFirst ? markerTarget : target).ToString(), w, ct);
            var (alone, marker) = plainFirst ? (first, second) : (second, first);

            rounds.Add(new CeilingRound(i + 1, api, alone, Stats.Ratio(api.RequestsPerSecond, alone.RequestsPerSecond),
                marker, Stats.Ratio(marker.RequestsPerSecond, alone.RequestsPerSecond)));
            Log($"  round {i + 1}: API {api.RequestsPerSecond:0} req/s (p50 {api.LatencyP50Ms} ms, p99 {api.LatencyP99Ms} ms, " +
                $"errors {api.Errors}); nginx {alone.RequestsPerSecond:0} req/s (p50 {alone.LatencyP50Ms} ms, " +
                $"p99 {alone.LatencyP99Ms} ms, errors {alone.Errors}); nginx + marker check " +
                $"{marker.RequestsPerSecond:0} req/s (errors {marker.Errors})");
        }

        var apiAll = Wrk.Combine(rounds.Select(r => r.ApiThroughNginx).ToList());
        var aloneAll = Wrk.Combine(rounds.Select(r => r.NginxReturn200).ToList());
        var markerAll = Wrk.Combine(rounds.Select(r => r.NginxReturn200AfterMarkerCheck).ToList());
        Log($"api-blue under load: RSS {rss!.RssMiB} MiB, docker stats {rss.DockerStatsMiB} MiB");
        return (new CeilingReport(w.Threads, w.Connections, w.Duration.TotalSeconds, apiAll, aloneAll,
            Stats.Round(Stats.Median(rounds.Select(r => r.RpsRatio).ToList())),
            Stats.Ratio(apiAll.LatencyP50Ms, aloneAll.LatencyP50Ms),
            Stats.Ratio(apiAll.LatencyP99Ms, aloneAll.LatencyP99Ms),
            rounds, markerAll, Stats.Round(Stats.Median(rounds.Select(r => r.MarkerCheckRpsRatio).ToList()))), rss);
    }

    private async Task<Sample[]> SteadyAsync(HttpClient client, Uri profile, CancellationToken ct)
    {
        // Warm-up at the same rate, not reported: the first requests pay for JIT and TLS handshakes, which would
        // otherwise put start-up cost into steady state's p99.
        await OpenLoopLoad.RunAsync(client, profile, o.RatePerSecond, TimeSpan.FromSeconds(o.Mode == "full" ? 3 : 1),
            o.RequestTimeout, _clock, CancellationToken.None, ct);
        Log($"steady state: {o.RatePerSecond} req/s for {o.SteadyDuration.TotalSeconds:0} s, no swaps");
        var samples = await OpenLoopLoad.RunAsync(client, profile, o.RatePerSecond, o.SteadyDuration, o.RequestTimeout,
            _clock, CancellationToken.None, ct);
        Log($"  {samples.Length} requests, {samples.Count(s => s.Failed)} failed, {Stats.Latency(samples.Select(s => s.LatencyMs))}");
        return samples;
    }

    private async Task<(List<SwapRun> Swaps, Sample[] Samples)> SwapsAsync(
        ComposeStack stack, HttpClient client, Uri profile, CancellationToken ct)
    {
        var driver = new SwapDriver(stack, o.SwapTimeout);
        using var stop = new CancellationTokenSource();
        // Bounded: the load stops when the swaps are done, and at the latest after every swap's timeout.
        var maxDuration = o.SwapTimeout * o.Swaps + TimeSpan.FromSeconds(30);
        Log($"{o.Swaps} swaps under {o.RatePerSecond} req/s");
        var load = OpenLoopLoad.RunAsync(client, profile, o.RatePerSecond, maxDuration, o.RequestTimeout, _clock, stop.Token, ct);
        var swaps = new List<SwapRun>();
        try
        {
            // Some steady traffic on the serving slot before the first swap, so the picture starts from it.
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            for (var i = 0; i < o.Swaps; i++)
            {
                var version = i % 2 == 0 ? "bench-2" : "bench-1";
                var (run, output) = await driver.SwapAsync(i + 1, version, ct);
                swaps.Add(run);
                Log($"  swap {i + 1}: {run.FromSlot} -> {run.ToSlot} {run.Result} (exit {run.ExitCode}), " +
                    $"total {run.TotalMs:0} ms, drain {run.DrainMs:0} ms, wall {run.WallMs:0} ms");
                if (run.ExitCode != 0)
                {
                    _notes.Add($"Swap {i + 1} failed (exit {run.ExitCode}, {run.Result}): {Tail(output, 600)}");
                    break;
                }

                await Task.Delay(o.IdleSettle, ct);
            }
        }
        finally
        {
            stop.Cancel();
        }

        var samples = await load;
        Log($"  {samples.Length} requests during the swap phase, {samples.Count(s => s.Failed)} failed");
        return (swaps, samples);
    }

    private static async Task<Dictionary<string, int>> NginxStatusesAsync(ComposeStack stack, DateTimeOffset since)
    {
        // docs/failure-modes.md #19: judge by the client and by nginx's own $status (a 499 is only seen there).
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in (await stack.NginxAccessLogAsync(since)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                // Only the bench's own requests (GET /profile). The swap's gate also warms the new slot up through
                // nginx on other paths, one of them answered 404 on purpose (/notes/0): not a failure of anything.
                var request = doc.RootElement.TryGetProperty("request", out var r) ? r.GetString() ?? "" : "";
                if (!request.Contains(" /profile", StringComparison.Ordinal))
                {
                    continue;
                }

                var status = doc.RootElement.TryGetProperty("status", out var s) ? s.ToString() : "?";
                counts[status] = counts.GetValueOrDefault(status) + 1;
            }
            catch (JsonException)
            {
                counts["unparsed"] = counts.GetValueOrDefault("unparsed") + 1;
            }
        }

        return counts;
    }

    private SwapLatencyReport SwapLatency(Sample[] steady, Sample[] during, List<SwapRun> swaps,
        Dictionary<string, int> nginxStatuses)
    {
        var windowMs = o.WindowSeconds * 1000;
        var switches = swaps.Where(s => s.SwitchedAt is not null).Select(s => _clock.ToMs(s.SwitchedAt!.Value)).ToList();
        var around = during.Where(s => switches.Any(t => Math.Abs(s.DueMs - t) <= windowMs)).ToArray();
        var steadyPhase = Phase("steady state (no swaps)", steady, o.SteadyDuration.TotalSeconds);
        var aroundPhase = Phase($"±{o.WindowSeconds:0.#} s around each switch ({switches.Count} switches)", around,
            switches.Count * 2 * o.WindowSeconds);
        var whole = Phase($"whole swap phase ({swaps.Count} swaps)", during,
            during.Length == 0 ? 0 : (during[^1].DueMs - during[0].DueMs) / 1000);
        // The swap phase's own pauses: requests due while no swap.ps1 step ran. On a shared machine the background
        // load drifts between the steady phase and the swap phase; this baseline drifts with it.
        var busy = swaps.Where(s => s.Steps.Count > 0 && s.Steps[0].StartedAt is not null && s.Steps[^1].EndedAt is not null)
            .Select(s => (From: _clock.ToMs(s.Steps[0].StartedAt!.Value), To: _clock.ToMs(s.Steps[^1].EndedAt!.Value)))
            .ToList();
        var between = during.Where(s => busy.All(b => s.DueMs < b.From || s.DueMs > b.To)).ToArray();
        var betweenPhase = Phase("between swaps (same phase, no swap running)", between, between.Length / o.RatePerSecond);
        // While the new slot starts: requests due from the start of "Start idle slot" (compose up) to the end of
        // the "Gate" step, when the new .NET process competes with the serving slot for the cores.
        var starting = swaps.Select(s => (From: StepTime(s, "start", end: false), To: StepTime(s, "gate", end: true)))
            .Where(w => !double.IsNaN(w.From) && !double.IsNaN(w.To)).ToList();
        var whileStarting = during.Where(s => starting.Any(w => s.DueMs >= w.From && s.DueMs <= w.To)).ToArray();
        var startingPhase = Phase($"while the new slot starts (start and gate steps, {starting.Count} swaps)", whileStarting,
            starting.Sum(w => (w.To - w.From) / 1000));
        _notes.Add("nginx access log statuses over the steady and swap phases: " +
            string.Join(", ", nginxStatuses.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}")));
        return new SwapLatencyReport(o.RatePerSecond, o.WindowSeconds, steadyPhase, aroundPhase, whole, betweenPhase,
            Stats.Ratio(aroundPhase.Latency.P50Ms, steadyPhase.Latency.P50Ms),
            Stats.Ratio(aroundPhase.Latency.P99Ms, steadyPhase.Latency.P99Ms),
            Stats.Ratio(aroundPhase.Latency.MaxMs, steadyPhase.Latency.MaxMs),
            Stats.Ratio(aroundPhase.Latency.P99Ms, betweenPhase.Latency.P99Ms),
            startingPhase, Stats.Ratio(startingPhase.Latency.P99Ms, steadyPhase.Latency.P99Ms));
    }

    private double StepTime(SwapRun s, string kind, bool end)
    {
        var step = s.Steps.FirstOrDefault(x => SwapDriver.IsStep(x, kind));
        var t = end ? step?.EndedAt : step?.StartedAt;
        return t is null ? double.NaN : _clock.ToMs(t.Value);
    }

    private LoadPhase Phase(string name, Sample[] samples, double seconds) =>
        new(name, o.RatePerSecond, Stats.Round(seconds), samples.Length, samples.Count(s => s.Failed),
            samples.Where(s => s.Failed).GroupBy(s => s.Error ?? $"HTTP {s.Status}").ToDictionary(g => g.Key, g => g.Count()),
            Stats.Latency(samples.Select(s => s.LatencyMs)));

    private static SwapTimingsReport SwapTimings(List<SwapRun> swaps)
    {
        var ok = swaps.Where(s => s.ExitCode == 0).ToList();
        return new SwapTimingsReport(swaps.Count, swaps.Count - ok.Count,
            Stats.MedianMax(ok.Select(s => s.StartToReadyMs)),
            Stats.MedianMax(ok.Select(s => s.ReadyToTrafficMs)),
            Stats.MedianMax(ok.Select(s => s.DrainMs)),
            Stats.MedianMax(ok.Select(s => s.TotalMs)),
            swaps);
    }

    /// <summary>
    /// The swap to draw: the one with the most failed requests (a picture must not hide a bad swap), else the
    /// first blue-to-green one.
    /// </summary>
    private SwapTimeline? Picture(List<SwapRun> swaps, Sample[] samples)
    {
        var candidates = swaps.Where(s => s.Steps.Count > 0 && s.Steps[0].StartedAt is not null).ToList();
        if (candidates.Count == 0 || samples.Length == 0)
        {
            return null;
        }

        int Failed(SwapRun s) => samples.Count(x => x.Failed &&
            x.DueMs >= _clock.ToMs(s.Steps[0].StartedAt!.Value) && x.DueMs <= _clock.ToMs(s.Steps[^1].EndedAt!.Value));
        var chosen = candidates.OrderByDescending(Failed).ThenBy(s => s.FromSlot == "blue" ? 0 : 1).ThenBy(s => s.Index).First();
        double At(string kind, bool end)
        {
            var step = chosen.Steps.FirstOrDefault(x => SwapDriver.IsStep(x, kind));
            var t = end ? step?.EndedAt : step?.StartedAt;
            return t is null ? double.NaN : _clock.ToMs(t.Value);
        }

        // From 5 s before the switch (the idle slot's start is mostly waiting for it, and would squeeze the handover
        // into a corner) to 2 s after the old slot stopped.
        var from = Math.Max(At("start", end: false) - 1000, At("switch", end: false) - 5000);
        var to = At("stop", end: true) + 2000;
        if (double.IsNaN(from) || double.IsNaN(to))
        {
            from = _clock.ToMs(chosen.Steps[0].StartedAt!.Value) - 2000;
            to = _clock.ToMs(chosen.Steps[^1].EndedAt!.Value) + 2000;
        }

        var marks = new List<(double, string)>
        {
            (At("start", false), $"start {chosen.ToSlot}"),
            (At("gate", true), $"{chosen.ToSlot} ready"),
            (At("switch", true), "switch (marker renamed)"),
            (At("verify", true), "verified"),
            (At("drain", true), $"{chosen.FromSlot} drained"),
            (At("stop", true), $"{chosen.FromSlot} stopped"),
        };
        // Observed from the responses themselves (X-Slot), not from the script: when the new slot first answered
        // and when the old one last did. The record's marks are computed from step durations (see SwapDriver).
        var stepsFrom = At("switch", end: false);
        var answers = samples.Where(x => !x.Failed && x.DueMs >= stepsFrom && x.DueMs <= to).ToList();
        var firstNew = answers.Where(x => x.Slot == chosen.ToSlot).Select(x => x.EndMs).DefaultIfEmpty(double.NaN).Min();
        var lastOld = answers.Where(x => x.Slot == chosen.FromSlot).Select(x => x.EndMs).DefaultIfEmpty(double.NaN).Max();
        marks.Add((firstNew, $"first {chosen.ToSlot} answer"));
        marks.Add((lastOld, $"last {chosen.FromSlot} answer"));
        marks = marks.Where(m => !double.IsNaN(m.Item1)).OrderBy(m => m.Item1).ToList();
        var bucket = (to - from) > 30_000 ? 0.5 : 0.25;
        return Timeline.Build(samples, from, to, bucket, o.RatePerSecond, chosen.FromSlot, chosen.ToSlot, marks);
    }

    private async Task WriteAsync(BenchReport report, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(o.OutputDirectory, "report.json"), ReportWriter.ToJson(report), ct);
        await File.WriteAllTextAsync(Path.Combine(o.OutputDirectory, "report.md"), ReportWriter.ToMarkdown(report), ct);
        if (report.Picture is { } p)
        {
            var subtitle = $"{p.Requests} requests in {p.Buckets.Count * p.BucketSeconds:0.#} s, {p.Errors} failed; " +
                $"{report.Machine.ProcessorCount} CPUs, nginx and API in docker compose; slot from each response's X-Slot";
            await File.WriteAllTextAsync(Path.Combine(o.OutputDirectory, "swap.svg"), SwapChart.Render(p, subtitle), ct);
        }

        Console.WriteLine();
        Console.WriteLine(ReportWriter.ToMarkdown(report));
        Log($"wrote report.json, report.md{(report.Picture is null ? "" : ", swap.svg")} to {o.OutputDirectory}");
        if (o.Publish)
        {
            // bench/report/ is committed: the figures and the picture the documentation shows.
            var published = Path.Combine(BenchOptions.FindBenchDirectory(), "report");
            Directory.CreateDirectory(published);
            foreach (var file in new[] { "report.json", "report.md", "swap.svg" })
            {
                var source = Path.Combine(o.OutputDirectory, file);
                if (File.Exists(source))
                {
                    File.Copy(source, Path.Combine(published, file), overwrite: true);
                }
            }

            Log($"published to {published}");
        }
    }

    private static async Task<SlotMemoryReading> ReadRssAsync(ComposeStack stack, string slot)
    {
        var id = (await stack.ComposeAsync("ps", "--quiet", $"api-{slot}")).EnsureSuccess($"compose ps api-{slot}")
            .StdOut.Trim();
        if (id.Length == 0)
        {
            return new SlotMemoryReading(double.NaN, "not running", double.NaN);
        }

        // compose ps -q prints the short id; the cgroup directory is named by the full one.
        var full = (await ProcessRunner.RunAsync("docker", ["inspect", "--format", "{{.Id}}", id]))
            .EnsureSuccess($"docker inspect {id}").StdOut.Trim();
        return await SlotMemory.ReadAsync(full);
    }

    private static string Tail(string s, int n) => s.Length <= n ? s : "…" + s[^n..];

    private void Log(string message) =>
        Console.WriteLine($"[{_clock.NowMs / 1000,6:0.0}s] {message}");
}
