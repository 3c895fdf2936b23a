// The fault matrix: each broken deploy runs under the same mixed load as the swaps. A swap that must
// fail exits non-zero, the old slot keeps serving, and no request fails. The exit codes are swap.ps1's: 1 failed
// and undone (old slot serves), 2 refused by preflight or lock (nothing changed).
using Docker.Testing;
using Proof.Tests.Checks;
using Proof.Tests.Infrastructure;
using Xunit;

namespace Proof.Tests;

[Collection(ProofCollection.Name)]
public sealed class FaultMatrixTests(ProofStack fixture)
{
    private const int FailedAndUndone = 1;
    private const int Refused = 2;

    // The killed-slot case is measured only after the swap's success: long enough for every client, the 3 s long
    // requests included, to start requests in that window.
    private static readonly TimeSpan AfterSwapWindow = TimeSpan.FromSeconds(5);

    // The minimum swap.ps1 accepts; the version under test never becomes ready, so this is the case's duration.
    private static readonly string[] ShortReadyTimeout = ["-ReadyTimeoutSeconds", "15"];

    [Fact]
    public async Task Swap_VersionNeverReady_ExitsNonZeroAndOldSlotKeepsServing()
    {
        // Arrange
        var proof = await fixture.ReadyAsync();
        await proof.BuildVariantAsync("9.0.0-never-ready", ProofStack.Versions[0], ApiFault.NeverReady);

        // Act + Assert
        await AssertFailedSwapFailsNothingAsync(proof, "9.0.0-never-ready", FailedAndUndone, ShortReadyTimeout);
    }

    [Fact]
    public async Task Swap_VersionCrashesOnStart_ExitsNonZeroAndOldSlotKeepsServing()
    {
        // Arrange
        var proof = await fixture.ReadyAsync();
        await proof.BuildVariantAsync("9.0.0-crash", ProofStack.Versions[0], ApiFault.CrashOnStart);

        // Act + Assert
        await AssertFailedSwapFailsNothingAsync(proof, "9.0.0-crash", FailedAndUndone, ShortReadyTimeout);
    }

    [Fact]
    public async Task Swap_VersionReportsWrongVersion_SmokeTestFailsAndOldSlotKeepsServing()
    {
        // Arrange: the tag says 9.0.0-mislabelled, the image's APP_VERSION says 2.0.0.
        var proof = await fixture.ReadyAsync();
        await proof.TagAsAsync(ProofStack.Versions[0], "9.0.0-mislabelled");

        // Act + Assert
        await AssertFailedSwapFailsNothingAsync(proof, "9.0.0-mislabelled", FailedAndUndone, ShortReadyTimeout);
    }

    [Fact]
    public async Task Swap_NginxConfigBroken_RefusedBeforeSwitching()
    {
        // Arrange: a config error nginx would only notice at the next reload (the running config is still good).
        var proof = await fixture.ReadyAsync();
        await proof.BreakNginxConfigAsync();
        var test = await proof.Stack.ExecAsync("nginx", "nginx", "-t");
        Assert.True(test.ExitCode != 0, $"the broken file is not part of nginx's config: {test.StdErr}");

        try
        {
            // Act + Assert
            await AssertFailedSwapFailsNothingAsync(proof, await proof.NextVersionAsync(), Refused, []);
        }
        finally
        {
            await proof.RepairNginxConfigAsync();
        }

        Assert.Equal(0, (await proof.Stack.ExecAsync("nginx", "nginx", "-t")).ExitCode);
    }

    [Fact]
    public async Task Swap_SecondSwapWhileOneRuns_SecondRefusedByLockFirstCompletes()
    {
        // Arrange
        var proof = await fixture.ReadyAsync();
        var version = await proof.NextVersionAsync();
        SwapOutcome? first = null;
        SwapOutcome? second = null;

        // Act
        var run = await UnderLoad.RunAsync(proof, async () =>
        {
            var running = SwapScript.RunAsync(proof, version, ct: TestContext.Current.CancellationToken);
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
            while (!await DeployState.LockHeldAsync(proof.Stack) && !running.IsCompleted && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            second = await SwapScript.RunAsync(proof, version, ct: TestContext.Current.CancellationToken);
            first = await running;
        });
        Publish(nameof(Swap_SecondSwapWhileOneRuns_SecondRefusedByLockFirstCompletes), run, first!, second!);

        // Assert
        Assert.True(second!.Result.ExitCode == Refused, $"second swap: {second.Describe()}\n{second.Output}");
        Assert.Contains("lock", second.Result.StdErr + second.Result.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.True(first!.Succeeded, $"first swap: {first.Describe()}\n{first.Output}");
        UnderLoad.AssertNothingFailed(run);
        UnderLoad.AssertNginxLoggedNoFailure(run);
        UnderLoad.AssertAnsweredBy(run.Load, first.ToSlot, first.EndedAt, run.Load.StoppedAt, "after the first swap");
    }

    [Fact]
    public async Task Swap_OldSlotKilledBeforeSwap_SwapCompletesAndServesFromThen()
    {
        // Arrange
        var proof = await fixture.ReadyAsync();
        var old = await proof.ActiveSlotAsync();
        var version = await proof.NextVersionAsync();
        SwapOutcome? swap = null;

        // Act: the old slot dies under load; requests fail until the swap has moved traffic (nothing can serve them:
        // that is the outage the operator is repairing). The claim measured is from the swap's success on.
        var run = await UnderLoad.RunAsync(proof, async () =>
        {
            (await proof.Stack.ComposeAsync("kill", "--signal", "SIGKILL", $"api-{old}")).EnsureSuccess($"kill api-{old}");
            swap = await SwapScript.RunAsync(proof, version, ct: TestContext.Current.CancellationToken);
        }, coolDown: AfterSwapWindow);
        var fromSwap = run with
        {
            Load = run.Load.StartingFrom(swap!.EndedAt),
            Log = await UnderLoad.ReadAccessLogAsync(proof, swap.EndedAt, run.Load.StartingFrom(swap.EndedAt).Samples.Count),
        };
        Figures.Publish($"before the swap's success (not asserted): {run.Load.Failures.Count()} failed requests");
        Publish(nameof(Swap_OldSlotKilledBeforeSwap_SwapCompletesAndServesFromThen), fromSwap, swap, null);

        // Assert
        Assert.True(swap.Succeeded, $"{swap.Describe()}\n{swap.Output}");
        Assert.Equal(swap.ToSlot, await proof.ActiveSlotAsync());
        UnderLoad.AssertNothingFailed(fromSwap);
        UnderLoad.AssertNginxLoggedNoFailure(fromSwap);
        UnderLoad.AssertAnsweredBy(run.Load, swap.ToSlot, swap.EndedAt, run.Load.StoppedAt, "after the swap");
    }

    /// <summary>Runs a swap that must fail under load: it exits with <paramref name="exitCode"/>, nginx still routes to
    /// the old slot, and every request of the run succeeded on the old slot.</summary>
    private static async Task AssertFailedSwapFailsNothingAsync(
        ProofStack proof, string version, int exitCode, string[] arguments)
    {
        var testName = TestContext.Current.TestMethod!.MethodName;
        var old = await proof.ActiveSlotAsync();
        SwapOutcome? swap = null;
        var run = await UnderLoad.RunAsync(proof, async () =>
            swap = await SwapScript.RunAsync(proof, version, arguments, TestContext.Current.CancellationToken));
        Publish(testName, run, swap!, null);

        Assert.True(swap!.Result.ExitCode == exitCode, $"expected exit {exitCode}: {swap.Describe()}\n{swap.Output}");
        Assert.Equal(old, await proof.ActiveSlotAsync());
        UnderLoad.AssertNothingFailed(run);
        UnderLoad.AssertNginxLoggedNoFailure(run);
        UnderLoad.AssertAnsweredBy(run.Load, old, run.Load.StartedAt, run.Load.StoppedAt, "during and after the failed swap");
    }

    private static void Publish(string testName, RunResult run, SwapOutcome first, SwapOutcome? second)
    {
        Figures.Publish($"{testName}: {first.Describe()}" + (second is null ? "" : $"; {second.Describe()}"));
        Figures.Publish(run.Describe());
        Figures.Save(testName, new
        {
            run.RunId,
            Requests = run.Load.Samples.Count,
            PerKind = run.Load.PerKind,
            Swaps = new[] { first, second }
                .OfType<SwapOutcome>()
                .Select(s => new
                {
                    s.Version, s.FromSlot, s.ToSlot, s.Result.ExitCode,
                    Seconds = Math.Round(s.Duration.TotalSeconds, 1),
                    s.Steps,
                }),
            Nginx = new { run.Log.Entries.Count, ByStatus = run.Log.CountByStatus, AtLeast499 = run.Log.Failures.Count },
            Notes = run.Notes,
        });
    }
}
