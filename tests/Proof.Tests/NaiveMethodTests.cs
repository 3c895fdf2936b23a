// Guards the harness, not the kit: the origin story's naive method, run in the same harness, must produce failures
// that the harness counts. If this test passes with 0 failures seen, the zero of the other tests means nothing.
// The last test shows the same for the kit's own choice never to reload nginx during a swap.
using Proof.Tests.Infrastructure;
using Proof.Tests.Load;
using Xunit;

namespace Proof.Tests;

[Collection(ProofCollection.Name)]
public sealed class NaiveMethodTests(ProofStack fixture)
{
    [Fact]
    public async Task NaiveStop_ServingSlotStoppedWithoutSwitch_HarnessCountsFailures()
    {
        // Arrange
        var proof = await fixture.ReadyAsync();
        var serving = await proof.ActiveSlotAsync();

        try
        {
            // Act: `docker compose stop` the slot nginx routes to, as the story did, with nothing to take over.
            var run = await UnderLoad.RunAsync(proof, async () =>
            {
                (await proof.Stack.ComposeAsync("stop", "--timeout", "30", $"api-{serving}")).EnsureSuccess($"stop api-{serving}");
                await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            });
            Report(nameof(NaiveStop_ServingSlotStoppedWithoutSwitch_HarnessCountsFailures), run);

            // Assert: both views see the outage, and the database check still holds (nothing acknowledged was lost).
            Assert.NotEmpty(run.Load.Failures);
            Assert.NotEmpty(run.Log.Failures);
            Assert.True(run.Notes.IsExact, run.Notes.Describe());
        }
        finally
        {
            await proof.ResetAsync();
        }
    }

    [Fact]
    public async Task NaiveSwitch_SwitchThenKillOldAtOnce_HarnessCountsFailures()
    {
        // Arrange: the idle slot is started and ready, as a careful gate would leave it.
        var proof = await fixture.ReadyAsync();
        var old = await proof.ActiveSlotAsync();
        var next = old == "blue" ? "green" : "blue";
        (await proof.Stack.ComposeAsync("up", "--detach", "--wait", "--no-deps", "--no-build", "--pull", "never", $"api-{next}"))
            .EnsureSuccess($"start api-{next}");

        try
        {
            // Act: the story's blue/green without a drain: switch nginx (the kit's own marker rename), and kill the old
            // slot at once.
            var run = await UnderLoad.RunAsync(proof, async () =>
            {
                (await proof.Stack.ExecAsync("nginx", "mv", $"/etc/nginx/state/active-slot.{old}",
                    $"/etc/nginx/state/active-slot.{next}")).EnsureSuccess("switch");
                (await proof.Stack.ComposeAsync("kill", "--signal", "SIGKILL", $"api-{old}")).EnsureSuccess($"kill api-{old}");
            });
            Report(nameof(NaiveSwitch_SwitchThenKillOldAtOnce_HarnessCountsFailures), run);

            // Assert: at least the long requests in flight on the old slot are lost, and both views see it.
            Assert.NotEmpty(run.Load.Failures);
            Assert.NotEmpty(run.Log.Failures);
            Assert.True(run.Notes.IsExact, run.Notes.Describe());
        }
        finally
        {
            await proof.ResetAsync();
        }
    }

    [Fact]
    public async Task NaiveReload_ReloadsUnderHttp2Load_HarnessCountsFailures()
    {
        // Arrange: more HTTP/2 connections than the proof's load, so that some are idle at each reload.
        var proof = await fixture.ReadyAsync();
        var options = UnderLoad.Options with { Http2Clients = 16 };
        var reloads = 0;

        // Act: what a swap that switches by rewriting an include would do to nginx, without changing the slot: bare
        // reloads. Each one makes the old workers close their idle HTTP/2 connections (GOAWAY, then close).
        var run = await UnderLoad.RunAsync(proof, async () =>
        {
            for (; reloads < NaiveReloads; reloads++)
            {
                (await proof.Stack.ExecAsync("nginx", "nginx", "-s", "reload")).EnsureSuccess("reload");
                await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
            }
        }, options);
        Report(nameof(NaiveReload_ReloadsUnderHttp2Load_HarnessCountsFailures), run);
        var http2 = run.Load.PerKind.Single(k => k.Kind == ClientKind.Http2);
        Figures.Publish($"{reloads} reloads: {http2.Failed} of {http2.Requests} HTTP/2 requests failed " +
            $"[{string.Join(", ", http2.TransportErrorsByType)}]");

        // Assert: the HTTP/2 clients lose streams to reloads alone; the kit's swaps never reload (SwapUnderLoadTests
        // checks the worker pids). nginx never processed these streams, so its log has no line for them: only the
        // clients see them.
        Assert.True(http2.Failed > 0, $"{reloads} reloads under {http2.Requests} HTTP/2 requests failed none");
        Assert.True(run.Notes.IsExact, run.Notes.Describe());
    }

    /// <summary>Enough that the test cannot pass by luck (seen: 7 to 25 failed streams with 8
    /// HTTP/2 clients, 23 with 16).</summary>
    private const int NaiveReloads = 60;

    private static void Report(string testName, RunResult run)
    {
        Figures.Publish($"{testName}: {run.Load.Failures.Count()} failed requests seen by the clients, " +
            $"{run.Log.Failures.Count} logged >= 499 by nginx");
        Figures.Publish(run.Describe());
        Figures.Save(testName, new
        {
            run.RunId,
            Requests = run.Load.Samples.Count,
            PerKind = run.Load.PerKind,
            Nginx = new { run.Log.Entries.Count, ByStatus = run.Log.CountByStatus, AtLeast499 = run.Log.Failures.Count },
            Notes = run.Notes,
        });
    }
}
