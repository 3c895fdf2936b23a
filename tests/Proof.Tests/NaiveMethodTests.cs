// Guards the harness, not the kit: the origin story's naive method, run in the same harness, must produce failures
// that the harness counts. If this test passes with 0 failures seen, the zero of the other tests means nothing.
using Proof.Tests.Infrastructure;
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
            // Act: the story's blue/green without a drain: rewrite the include, reload, and kill the old slot at once.
            var run = await UnderLoad.RunAsync(proof, async () =>
            {
                var include = "# Active slot, written by deploy-scripts. Do not edit by hand: run deploy-scripts/swap.ps1.\n" +
                    $"proxy_pass http://api_{next};\n";
                (await proof.Stack.ExecAsync("nginx", "sh", "-c",
                    $"printf '{include}' > /etc/nginx/state/active-slot.conf && nginx -s reload")).EnsureSuccess("switch");
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
