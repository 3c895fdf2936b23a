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
            var failures = run.Load.Failures.ToList();
            Figures.Publish($"naive stop: {failures.Count} failed requests seen by the clients, " +
                $"{run.Log.Failures.Count} logged >= 499 by nginx");
            Figures.Publish(run.Describe());
            Figures.Save(nameof(NaiveStop_ServingSlotStoppedWithoutSwitch_HarnessCountsFailures), new
            {
                run.RunId,
                Requests = run.Load.Samples.Count,
                PerKind = run.Load.PerKind,
                Nginx = new { run.Log.Entries.Count, ByStatus = run.Log.CountByStatus, AtLeast499 = run.Log.Failures.Count },
                Notes = run.Notes,
            });

            // Assert: both views see the outage, and the database check still holds (nothing acknowledged was lost).
            Assert.NotEmpty(failures);
            Assert.NotEmpty(run.Log.Failures);
            Assert.True(run.Notes.IsExact, run.Notes.Describe());
        }
        finally
        {
            await proof.ResetAsync();
        }
    }
}
