// The product's central claim: consecutive blue/green swaps with the real swap.ps1, under mixed load,
// fail no request. Judged by the clients, by nginx's access log and by the database.
using Proof.Tests.Infrastructure;
using Proof.Tests.Load;
using Xunit;

namespace Proof.Tests;

[Collection(ProofCollection.Name)]
public sealed class SwapUnderLoadTests(ProofStack fixture)
{
    private const int Swaps = 5;

    [Fact]
    public async Task Swap_FiveConsecutiveUnderMixedLoad_NoRequestFails()
    {
        // Arrange
        var proof = await fixture.ReadyAsync();
        var nginxStartedAt = await NginxStartedAtAsync(proof);
        var nginxWorkers = await proof.NginxWorkerPidsAsync();
        var swaps = new List<SwapOutcome>();

        // Act
        var run = await UnderLoad.RunAsync(proof, async () =>
        {
            for (var i = 0; i < Swaps; i++)
            {
                var version = await proof.NextVersionAsync();
                var outcome = await SwapScript.RunAsync(proof, version, ct: TestContext.Current.CancellationToken);
                swaps.Add(outcome);
                Figures.Publish(outcome.Describe());
                if (!outcome.Succeeded)
                {
                    Figures.Publish(outcome.Output);
                    return;
                }

                // Some traffic between swaps, all of which must come from the new slot.
                await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            }
        });
        var windows = swaps.Select(s => SwapWindow.Of(s, run.Load)).ToList();
        Publish(run, windows);

        // Assert
        Assert.Equal(Swaps, swaps.Count(s => s.Succeeded));
        UnderLoad.AssertNothingFailed(run);
        UnderLoad.AssertNginxLoggedNoFailure(run);
        for (var i = 0; i < swaps.Count; i++)
        {
            var until = i + 1 < swaps.Count ? swaps[i + 1].StartedAt : run.Load.StoppedAt;
            UnderLoad.AssertAnsweredBy(run.Load, swaps[i].ToSlot, swaps[i].EndedAt, until, $"after swap {i + 1}");
            Assert.True(windows[i].LongAcrossSwitch > 0,
                $"swap {i + 1}: no long request started on {swaps[i].FromSlot} before the switch and ended after it");
        }

        // nginx was neither restarted (item 20) nor reloaded: the same workers served every request of the run, so
        // no client connection was closed by a swap (items 5 and 7).
        Assert.Equal(nginxStartedAt, await NginxStartedAtAsync(proof));
        Assert.Equal(nginxWorkers, await proof.NginxWorkerPidsAsync());
        Assert.Subset(nginxWorkers.ToHashSet(), run.Log.Pids.ToHashSet());
    }

    /// <summary>nginx's container start time: a restart (docs/failure-modes.md #20) changes it.</summary>
    private static async Task<string> NginxStartedAtAsync(ProofStack proof)
    {
        var id = (await proof.Stack.ComposeAsync("ps", "--quiet", "nginx")).EnsureSuccess("compose ps nginx").StdOut.Trim();
        return (await Docker.Testing.ProcessRunner.RunAsync("docker", ["inspect", "--format", "{{.State.StartedAt}}", id]))
            .EnsureSuccess("docker inspect nginx").StdOut.Trim();
    }

    private static void Publish(RunResult run, IReadOnlyList<SwapWindow> windows)
    {
        Figures.Publish($"run {run.RunId}: {run.Load.Samples.Count} requests in " +
            $"{(run.Load.StoppedAt - run.Load.StartedAt).TotalSeconds:F0} s, {windows.Count} swaps");
        Figures.Publish(run.Describe());
        foreach (var w in windows)
        {
            Figures.Publish(w.Describe());
        }

        Figures.Save(nameof(Swap_FiveConsecutiveUnderMixedLoad_NoRequestFails), new
        {
            run.RunId,
            Seconds = Math.Round((run.Load.StoppedAt - run.Load.StartedAt).TotalSeconds, 1),
            Requests = run.Load.Samples.Count,
            PerKind = run.Load.PerKind,
            Swaps = windows,
            Nginx = new { run.Log.Entries.Count, ByStatus = run.Log.CountByStatus, AtLeast499 = run.Log.Failures.Count },
            Notes = run.Notes,
        });
    }
}

/// <summary>What happened around one swap: its duration, the moment the first response came from the new slot,
/// the long requests that crossed that moment, and the worst latency while the swap ran.</summary>
public sealed record SwapWindow(
    int ExitCode,
    string From,
    string To,
    string Version,
    double Seconds,
    DateTimeOffset StartedAt,
    DateTimeOffset? SwitchedAt,
    int Requests,
    int LongAcrossSwitch,
    double MaxLatencyMs,
    double MaxLatencyMsExceptLong,
    IReadOnlyList<SwapStep> Steps)
{
    public static SwapWindow Of(SwapOutcome swap, LoadReport report)
    {
        var during = report.Overlapping(swap.StartedAt, swap.EndedAt).ToList();
        var switchedAt = report.Samples
            .Where(s => s.StartedAt >= swap.StartedAt && s.Slot == swap.ToSlot)
            .Select(s => (DateTimeOffset?)s.EndedAt)
            .Min();
        var longAcross = switchedAt is { } at
            ? report.Samples.Count(s => s.Kind == ClientKind.Long && s.Slot == swap.FromSlot
                && s.StartedAt < at && s.EndedAt > at && s.IsSuccess)
            : 0;
        return new SwapWindow(
            swap.Result.ExitCode,
            swap.FromSlot,
            swap.ToSlot,
            swap.Version,
            Math.Round(swap.Duration.TotalSeconds, 1),
            swap.StartedAt,
            switchedAt,
            during.Count,
            longAcross,
            Math.Round(during.Select(s => s.Latency.TotalMilliseconds).DefaultIfEmpty().Max()),
            Math.Round(during
                .Where(s => s.Kind != ClientKind.Long)
                .Select(s => s.Latency.TotalMilliseconds)
                .DefaultIfEmpty()
                .Max()),
            swap.Steps);
    }

    public string Describe() =>
        $"swap {From} -> {To} ({Version}): exit {ExitCode}, {Seconds} s, {Requests} requests during it, " +
        $"{LongAcrossSwitch} long requests crossed the switch on {From}, max latency {MaxLatencyMsExceptLong} ms " +
        $"(long requests included: {MaxLatencyMs} ms)";
}
