// Runs an action on the swarm (a rolling update, scaling) under the proof's mixed load, and gathers the three views of
// the run as the compose proof does: what the clients saw, what nginx logged, what PostgreSQL stored. Besides, a
// probe asks /profile every 100 ms, so that the run also shows which version answered when.
using System.Diagnostics;
using Proof.Tests.Checks;
using Proof.Tests.Load;
using Xunit;

namespace Swarm.Tests.Infrastructure;

/// <summary>One answer of the version probe: when, which status, which version (null after a transport error).</summary>
public sealed record VersionSample(DateTimeOffset At, int? Status, string? Version);

public sealed record SwarmRunResult(
    LoadReport Load, NginxAccessLog Log, NotesCheck Notes, IReadOnlyList<VersionSample> Versions, string RunId)
{
    public string Describe() => $"{Load.Describe()}\n{Log.Describe()}\n{Notes.Describe()}";

    /// <summary>From the first answer of <paramref name="newVersion"/> to the last of <paramref name="oldVersion"/>:
    /// how long both versions served at once (zero or less: never).</summary>
    public TimeSpan MixedVersions(string oldVersion, string newVersion)
    {
        var firstNew = Versions.FirstOrDefault(v => v.Version == newVersion)?.At;
        var lastOld = Versions.LastOrDefault(v => v.Version == oldVersion)?.At;
        return firstNew is { } f && lastOld is { } l ? l - f : TimeSpan.Zero;
    }
}

public static class SwarmUnderLoad
{
    /// <summary>The proof's load, with a longer cap: tasks start slowly on nested engines on 2 cores.</summary>
    public static LoadOptions Options => new() { MaxDuration = TimeSpan.FromMinutes(8) };

    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan CoolDown = TimeSpan.FromSeconds(3);

    public static async Task<SwarmRunResult> RunAsync(SwarmStack stack, Func<Task> action, LoadOptions? options = null)
    {
        options ??= Options;
        var logSince = DateTimeOffset.UtcNow;
        LoadReport report;
        List<VersionSample> versions;
        using (var probeStop = new CancellationTokenSource())
        {
            var probe = ProbeVersionsAsync(stack, probeStop.Token);
            await using (var load = LoadRun.Start(stack.Cluster.HttpsBase, options))
            {
                await Task.Delay(WarmUp, TestContext.Current.CancellationToken);
                await action();
                await Task.Delay(CoolDown, TestContext.Current.CancellationToken);
                report = await load.StopAsync();
            }

            await probeStop.CancelAsync();
            versions = await probe;
        }

        var log = await ReadAccessLogAsync(stack, logSince, report.Samples.Count + versions.Count);
        var notes = NotesInDatabase.Compare(report.Samples, await stack.StoredNotesAsync(options.RunId));
        return new SwarmRunResult(report, log, notes, versions, options.RunId);
    }

    /// <summary>The access log since <paramref name="since"/>, read again (bounded: 10 s) until it holds as many
    /// lines as requests were sent: `docker service logs` may lag behind nginx's last lines.</summary>
    private static async Task<NginxAccessLog> ReadAccessLogAsync(SwarmStack stack, DateTimeOffset since, int expected)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var log = NginxAccessLog.Parse(await stack.NginxAccessLogAsync(since));
            if (log.Entries.Count >= expected || DateTimeOffset.UtcNow > deadline)
            {
                return log;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }
    }

    private static async Task<List<VersionSample>> ProbeVersionsAsync(SwarmStack stack, CancellationToken stop)
    {
        var samples = new List<VersionSample>();
        using var client = stack.CreateClient();
        var bound = Stopwatch.StartNew();
        // Bounded like the load: never more than the load's own cap.
        while (!stop.IsCancellationRequested && bound.Elapsed < Options.MaxDuration)
        {
            var at = DateTimeOffset.UtcNow;
            try
            {
                using var response = await client.GetAsync("/profile", CancellationToken.None);
                samples.Add(new VersionSample(at, (int)response.StatusCode,
                    response.Headers.TryGetValues("X-App-Version", out var v) ? v.Single() : null));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                samples.Add(new VersionSample(at, null, null));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }

        return samples;
    }

    /// <summary>The compose proof's claim, on the swarm: nothing failed, seen from the clients, nginx and the database.</summary>
    public static void AssertNothingFailed(SwarmRunResult run)
    {
        Assert.Null(run.Load.CapReason);
        Assert.All(run.Load.PerKind, kind =>
        {
            Assert.True(kind.Requests > 0, $"{kind.Kind}: no requests at all, the load did not run");
            Assert.True(kind.Failed == 0, $"{kind.Kind}: {kind.Failed} failed of {kind.Requests}: " +
                $"non-2xx [{string.Join(", ", kind.NonSuccessByStatus)}], errors [{string.Join(", ", kind.TransportErrorsByType)}]");
        });
        Assert.True(run.Log.Entries.Count >= run.Load.Samples.Count * 0.99,
            $"nginx logged {run.Log.Entries.Count} requests for {run.Load.Samples.Count} sent: the log reader misses lines");
        Assert.True(run.Log.Failures.Count == 0,
            $"nginx logged {run.Log.Failures.Count} requests with status >= 499, e.g.\n" +
            string.Join('\n', run.Log.Failures.Take(5).Select(e => e.Raw)));
        var http2 = run.Load.PerKind.Single(k => k.Kind == ClientKind.Http2).Requests;
        Assert.True(run.Log.CountByProtocol.GetValueOrDefault("HTTP/2.0") >= http2,
            $"nginx logged fewer HTTP/2.0 requests than the {http2} the HTTP/2 clients sent");
        Assert.True(run.Log.MaxConnectionRequests("HTTP/2.0") < 1000,
            "an HTTP/2 client connection reached nginx's keepalive_requests (1000): see LoadOptions.Http2ConnectionLifetime");
        Assert.True(run.Notes.Acknowledged > 0, "no write was acknowledged");
        Assert.True(run.Notes.IsExact, run.Notes.Describe());
    }
}
