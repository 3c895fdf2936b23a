// Runs an action (swaps, faults) under the mixed load, then gathers the three views of the run: what the clients
// saw, what nginx logged, and what PostgreSQL stored.
using Proof.Tests.Checks;
using Proof.Tests.Load;
using Xunit;

namespace Proof.Tests.Infrastructure;

public sealed record RunResult(LoadReport Load, NginxAccessLog Log, NotesCheck Notes, string RunId)
{
    public string Describe() => $"{Load.Describe()}\n{Log.Describe()}\n{Notes.Describe()}";
}

public static class UnderLoad
{
    /// <summary>The proof's load (docs/proof.md, "The load"), sized for a 2-core machine (see LoadOptions).</summary>
    public static LoadOptions Options => new();

    /// <summary>Long enough for every client to have its connection open and a long request in flight.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    /// <summary>After the action: traffic that must all come from the slot the action left serving.</summary>
    public static readonly TimeSpan CoolDown = TimeSpan.FromSeconds(2);

    public static async Task<RunResult> RunAsync(
        ProofStack proof, Func<Task> action, LoadOptions? options = null, TimeSpan? coolDown = null)
    {
        options ??= Options;
        var logSince = DateTimeOffset.UtcNow;
        LoadReport report;
        await using (var load = LoadRun.Start(proof.Stack.HttpsBase, options))
        {
            await Task.Delay(WarmUp, TestContext.Current.CancellationToken);
            await action();
            await Task.Delay(coolDown ?? CoolDown, TestContext.Current.CancellationToken);
            report = await load.StopAsync();
        }

        var log = await ReadAccessLogAsync(proof, logSince, report.Samples.Count);
        var notes = await NotesInDatabase.CheckAsync(proof.Stack, report, options.RunId);
        return new RunResult(report, log, notes, options.RunId);
    }

    /// <summary>
    /// The access log since <paramref name="since"/>, read again (bounded: 5 s) until it holds at least as many lines
    /// as requests were sent, since docker's log pipe may lag behind nginx's last lines by a moment.
    /// </summary>
    public static async Task<NginxAccessLog> ReadAccessLogAsync(ProofStack proof, DateTimeOffset since, int expected)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var log = NginxAccessLog.Parse(await proof.Stack.NginxAccessLogAsync(since));
            if (log.Entries.Count >= expected || DateTimeOffset.UtcNow > deadline)
            {
                return log;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The claim itself: nothing failed, seen from the clients, from nginx and from the database.</summary>
    public static void AssertNothingFailed(RunResult run, LoadReport? measured = null)
    {
        measured ??= run.Load;
        Assert.Null(run.Load.CapReason);
        Assert.All(measured.PerKind, kind =>
        {
            Assert.True(kind.Requests > 0, $"{kind.Kind}: no requests at all, the load did not run");
            Assert.True(kind.Failed == 0, $"{kind.Kind}: {kind.Failed} failed of {kind.Requests}: " +
                $"non-2xx [{string.Join(", ", kind.NonSuccessByStatus)}], errors [{string.Join(", ", kind.TransportErrorsByType)}]");
        });
        Assert.True(run.Log.Entries.Count >= run.Load.Samples.Count * 0.99,
            $"nginx logged {run.Log.Entries.Count} requests for {run.Load.Samples.Count} sent: the log reader misses lines");
        // The HTTP/2 clients really spoke HTTP/2 to nginx (a silent downgrade would leave item 7 untested).
        var http2 = measured.PerKind.Single(k => k.Kind == ClientKind.Http2).Requests;
        Assert.True(run.Log.CountByProtocol.GetValueOrDefault("HTTP/2.0") >= http2,
            $"nginx logged fewer HTTP/2.0 requests than the {http2} the HTTP/2 clients sent");
        AssertBelowNginxRequestLimit(run.Log);
        Assert.True(run.Notes.Acknowledged > 0, "no write was acknowledged");
        Assert.True(run.Notes.IsExact, run.Notes.Describe());
    }

    /// <summary>nginx's keepalive_requests (default 1000; the shipped config keeps it).</summary>
    public const int NginxRequestsPerConnectionLimit = 1000;

    /// <summary>
    /// The HTTP/2 clients renew their connections before nginx's per-connection limit (LoadOptions
    /// .Http2ConnectionLifetime explains the client bug that this keeps out of the proof). Checked, not assumed: a
    /// faster machine sends more per connection, and then this says so instead of the run failing at random.
    /// </summary>
    public static void AssertBelowNginxRequestLimit(NginxAccessLog log)
    {
        var most = log.MaxConnectionRequests("HTTP/2.0");
        Assert.True(most < NginxRequestsPerConnectionLimit,
            $"an HTTP/2 client connection carried {most} requests, reaching nginx's keepalive_requests " +
            $"({NginxRequestsPerConnectionLimit}): shorten LoadOptions.Http2ConnectionLifetime");
    }

    /// <summary>nginx's view for the whole run (a kill before the swap excepted, see that test).</summary>
    public static void AssertNginxLoggedNoFailure(RunResult run) =>
        Assert.True(run.Log.Failures.Count == 0,
            $"nginx logged {run.Log.Failures.Count} requests with status >= 499, e.g.\n" +
            string.Join('\n', run.Log.Failures.Take(5).Select(e => e.Raw)));

    /// <summary>Every request that started in [from, to) was answered by <paramref name="slot"/>.</summary>
    public static void AssertAnsweredBy(LoadReport report, string slot, DateTimeOffset from, DateTimeOffset to, string what)
    {
        var others = report.Samples
            .Where(s => s.StartedAt >= from && s.StartedAt < to && s.IsSuccess && s.Slot != slot)
            .ToList();
        Assert.True(others.Count == 0,
            $"{what}: {others.Count} responses from another slot than {slot}, e.g. " +
            string.Join("; ", others.Take(3).Select(s => $"{s.Kind} at {s.StartedAt:HH:mm:ss.fff} from {s.Slot}")));
    }
}
