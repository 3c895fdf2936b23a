// Maintenance mode under the proof's mixed load: deploy-scripts/maintenance.ps1 -On, a few seconds, -Off. While it is
// on, every public request gets 503 with Retry-After (nginx answers itself, the slots keep running); before and after,
// every request succeeds; requests already running when it turns on finish normally; nothing is cut (no transport
// error at a client, no 499 or other 5xx in nginx's log). Shares the proof stack (ProofCollection), so it adds no
// stack start.
using Docker.Testing;
using Proof.Tests.Infrastructure;
using Xunit;

namespace Proof.Tests;

[Collection(ProofCollection.Name)]
public sealed class MaintenanceUnderLoadTests(ProofStack fixture)
{
    private const string RetryAfterSeconds = "120";

    // Long enough for every client kind to send requests that surely meet maintenance mode on.
    private static readonly TimeSpan MaintenanceHeld = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Maintenance_OnThenOffUnderLoad_Only503WithRetryAfterWhileOnNothingElseFailsNothingCut()
    {
        // Arrange
        var proof = await fixture.ReadyAsync();
        var active = await proof.ActiveSlotAsync();
        ProcessResult? on = null;
        ProcessResult? off = null;
        DateTimeOffset onStarted = default, onEnded = default, offStarted = default, offEnded = default;

        // Act
        var run = await UnderLoad.RunAsync(proof, async () =>
        {
            onStarted = DateTimeOffset.UtcNow;
            on = await RunMaintenanceAsync(proof, ["-On", "-Message", "Proof of maintenance mode", "-RetryAfterSeconds", RetryAfterSeconds]);
            onEnded = DateTimeOffset.UtcNow;
            await Task.Delay(MaintenanceHeld, TestContext.Current.CancellationToken);
            offStarted = DateTimeOffset.UtcNow;
            off = await RunMaintenanceAsync(proof, ["-Off"]);
            offEnded = DateTimeOffset.UtcNow;
        });
        var samples = run.Load.Samples;
        var unavailable = samples.Where(s => !s.IsSuccess).ToList();
        // The instant nginx first answered 503 is when the routing link changed (somewhere inside the script's run);
        // the requests running across it had started before maintenance was on.
        var turnedOn = unavailable.Count > 0 ? unavailable.Min(s => s.StartedAt) : onEnded;
        var inFlightAtOn = samples.Where(s => s.StartedAt < turnedOn && s.EndedAt > turnedOn).ToList();
        Figures.Publish($"{nameof(Maintenance_OnThenOffUnderLoad_Only503WithRetryAfterWhileOnNothingElseFailsNothingCut)}: " +
            $"on in {(onEnded - onStarted).TotalSeconds:F1} s, off in {(offEnded - offStarted).TotalSeconds:F1} s, " +
            $"{unavailable.Count} answered 503 of {samples.Count}, {inFlightAtOn.Count} in flight when it turned on");
        Figures.Publish(run.Describe());

        // Assert: both changes worked.
        Assert.True(on!.ExitCode == 0, $"maintenance.ps1 -On exited {on.ExitCode}:\n{on.StdOut}\n{on.StdErr}");
        Assert.True(off!.ExitCode == 0, $"maintenance.ps1 -Off exited {off.ExitCode}:\n{off.StdOut}\n{off.StdErr}");

        // Nothing cut: no transport error at any client, and nginx logged no 499 or 5xx but the intended 503s.
        Assert.Null(run.Load.CapReason);
        var errors = samples.Where(s => s.IsTransportError).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} transport errors, e.g. {string.Join("; ", errors.Take(3).Select(e => e.Error))}");
        var otherLogged = run.Log.Failures.Where(e => e.Status != 503).ToList();
        Assert.True(otherLogged.Count == 0,
            $"nginx logged {otherLogged.Count} failures other than 503, e.g.\n{string.Join('\n', otherLogged.Take(5).Select(e => e.Raw))}");
        Assert.Equal(unavailable.Count, run.Log.CountByStatus.GetValueOrDefault(503));

        // Only 503 with Retry-After, and only for requests that started while maintenance may have been on.
        Assert.All(unavailable, s =>
        {
            Assert.Equal(503, s.Status);
            Assert.Equal(RetryAfterSeconds, s.RetryAfter);
            Assert.InRange(s.StartedAt, onStarted, offEnded);
        });

        // While surely on: every request, of every client kind, got the 503.
        var whileOn = samples.Where(s => s.StartedAt >= onEnded && s.EndedAt <= offStarted).ToList();
        Assert.All(Enum.GetValues<Load.ClientKind>(), kind =>
            Assert.True(whileOn.Any(s => s.Kind == kind), $"{kind}: no request while maintenance was on"));
        Assert.All(whileOn, s => Assert.Equal(503, s.Status));

        // Requests already running when it turned on (the 3 s ones among them) finished normally.
        Assert.Contains(inFlightAtOn, s => s.Kind == Load.ClientKind.Long);
        Assert.All(inFlightAtOn, s => Assert.True(s.IsSuccess, $"{s.Kind} in flight at -On: {s.Status} {s.Error}"));

        // Before it went on and after it went off, every request succeeded on the active slot.
        Assert.All(samples.Where(s => s.EndedAt <= onStarted || s.StartedAt >= offEnded), s => Assert.True(s.IsSuccess));
        UnderLoad.AssertAnsweredBy(run.Load, active, offEnded, run.Load.StoppedAt, "after maintenance -Off");
        Assert.True(samples.Count(s => s.StartedAt >= offEnded && s.IsSuccess) > 0, "no request after -Off");

        // Writes: every acknowledged note is stored once; a write answered 503 never reached the database.
        Assert.True(run.Notes.IsExact, run.Notes.Describe());
    }

    private static async Task<ProcessResult> RunMaintenanceAsync(ProofStack proof, string[] arguments)
    {
        string[] args =
        [
            "pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File",
            Path.Combine(RepoPaths.Root, "deploy-scripts", "maintenance.ps1"),
            .. arguments,
            .. proof.ScriptTargetArguments,
        ];
        return await ProcessRunner.RunAsync("dotnet", args, proof.Stack.Environment, TimeSpan.FromMinutes(2),
            TestContext.Current.CancellationToken);
    }
}
