// For comparison with the kit's swap: Swarm's own rolling update of the serving slot (`docker service update --image
// ... --update-order start-first`), under the proof's mixed load, through the same nginx and the same harness. It
// reports what it loses, counted by the clients, by nginx's log and by the database, and how long both versions
// served side by side. The figures are the point (docs/swarm.md quotes them); the assertions check that the update
// really ran under load and that every view of the run was counted.
using Proof.Tests.Load;
using Swarm.Tests.Infrastructure;
using Xunit;

namespace Swarm.Tests;

[Collection(SwarmCollection.Name)]
public sealed class RollingUpdateTests(SwarmFixture fixture)
{
    [Fact]
    public async Task RollingUpdate_StartFirstUnderMixedLoad_ReportsWhatItLoses()
    {
        // Arrange
        var stack = await fixture.ReadyAsync();
        var from = await stack.ServingVersionAsync();
        var to = from == SwarmStack.Versions[0] ? SwarmStack.Versions[1] : SwarmStack.Versions[0];
        var updateStarted = DateTimeOffset.MinValue;
        var updateEnded = DateTimeOffset.MinValue;

        // Act
        var run = await SwarmUnderLoad.RunAsync(stack, async () =>
        {
            updateStarted = DateTimeOffset.UtcNow;
            // --detach=false: returns when every task runs the new image (Swarm's own monitor, 5 s per task).
            (await stack.Cluster.DockerAsync(1, ["service", "update", "--detach=false", "--quiet",
                    "--image", stack.ImageOf(to), "--update-order", "start-first", "--update-parallelism", "1",
                    SwarmStack.Service("api-blue")], TimeSpan.FromMinutes(8), TestContext.Current.CancellationToken))
                .EnsureSuccess($"rolling update of api-blue to {to}");
            updateEnded = DateTimeOffset.UtcNow;
        });
        var state = (await stack.Cluster.ManagerAsync("service", "inspect", "--format", "{{.UpdateStatus.State}}",
            SwarmStack.Service("api-blue"))).EnsureSuccess("service inspect").StdOut.Trim();
        var mixed = run.MixedVersions(from, to);
        Publish(run, from, to, updateEnded - updateStarted, mixed, state);

        // Assert
        Assert.Equal("completed", state);
        Assert.Null(run.Load.CapReason);
        Assert.All(run.Load.PerKind, kind => Assert.True(kind.Requests > 0, $"{kind.Kind}: the load did not run"));
        Assert.True(run.Log.Entries.Count >= run.Load.Samples.Count * 0.99,
            $"nginx logged {run.Log.Entries.Count} requests for {run.Load.Samples.Count} sent: the log reader misses " +
            "lines");
        Assert.Equal(0, run.Log.UnparsedLines);
        // The update happened while the load ran: the probe saw the old version, then the new one.
        Assert.Contains(run.Versions, v => v.Version == from);
        Assert.Contains(run.Versions, v => v.Version == to);
        Assert.Equal(to, await stack.ServingVersionAsync());
    }

    private static void Publish(
        SwarmRunResult run, string from, string to, TimeSpan update, TimeSpan mixed, string state)
    {
        var failed = run.Load.Failures.ToList();
        Report.Publish($"run {run.RunId}: Swarm rolling update (start-first) of api-blue {from} -> {to} took " +
            $"{update.TotalSeconds:F1} s (state {state}); {run.Load.Samples.Count} requests, {failed.Count} failed; " +
            $"nginx >= 499: {run.Log.Failures.Count}; both versions answered for {mixed.TotalSeconds:F1} s");
        Report.Publish(run.Describe());
        foreach (var f in failed.Take(10))
        {
            Report.Publish($"  failed: {f.Kind} at {f.StartedAt:HH:mm:ss.fff} status {f.Status?.ToString() ?? "-"} {f.Error}");
        }

        foreach (var e in run.Log.Failures.Take(10))
        {
            Report.Publish($"  nginx: {e.Raw}");
        }

        Report.Save("rollingUpdateStartFirst", new
        {
            From = from,
            To = to,
            UpdateSeconds = Math.Round(update.TotalSeconds, 1),
            UpdateState = state,
            Requests = run.Load.Samples.Count,
            Failed = failed.Count,
            FailedByKind = run.Load.PerKind.ToDictionary(k => k.Kind.ToString(), k => k.Failed),
            RequestsByKind = run.Load.PerKind.ToDictionary(k => k.Kind.ToString(), k => k.Requests),
            NginxStatusAtLeast499 = run.Log.Failures.Count,
            NginxByStatus = run.Log.CountByStatus,
            Notes = run.Notes.Describe(),
            NotesExact = run.Notes.IsExact,
            MixedVersionsSeconds = Math.Round(mixed.TotalSeconds, 1),
            LongestLatencyMs = run.Load.PerKind.Max(k => k.MaxLatencyMs),
            WritersP99Ms = run.Load.PerKind.Single(k => k.Kind == ClientKind.Writer).P99LatencyMs,
        });
    }
}
