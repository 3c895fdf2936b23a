// The operations around a swap, on the same real stack as SwapScriptTests: the deploy lock and the history live in
// the stack's PostgreSQL, so two clones of the kit in different folders share one lock and one history; rollback to a
// retained version; prune keeps every rollback target; a failing pre-deploy hook changes nothing and is recorded;
// -BreakLock refuses a live holder and removes a dead one, with an audit entry. Each test reads the state first and
// does not depend on the order of the tests.
using System.Text.Json;
using Docker.Testing;
using Xunit;

namespace Deploy.Tests;

public sealed partial class SwapScriptTests
{
    [Fact]
    public async Task TwoClones_SwapAtOnce_ExactlyOneProceedsTheOtherWaitsWhenToldAndBothSeeOneHistory()
    {
        // Arrange: two copies of the kit (scripts, compose file, nginx/ and db/ files) in folders of their own.
        await fixture.StartedAsync();
        using var cloneA = new KitClone();
        using var cloneB = new KitClone();

        // Act 1: both swap at once, neither waits.
        var runs = await Task.WhenAll(
            fixture.RunScriptAsync("swap.ps1", ["-Version", "2.0.0"], output, cloneA.ScriptsDirectory),
            fixture.RunScriptAsync("swap.ps1", ["-Version", "3.0.0"], output, cloneB.ScriptsDirectory));

        // Assert 1: exactly one proceeded; the other was refused at the lock, naming the winner's command.
        Assert.Single(runs, r => r.ExitCode == 0);
        var refused = Assert.Single(runs, r => r.ExitCode == 2);
        var winner = runs[0].ExitCode == 0 ? "2.0.0" : "3.0.0";
        var loser = winner == "2.0.0" ? "3.0.0" : "2.0.0";
        Assert.Contains("Another deploy holds the lock", refused.StdErr + refused.StdOut, StringComparison.Ordinal);
        Assert.Contains($"-Version {winner}", refused.StdErr + refused.StdOut, StringComparison.Ordinal);
        Assert.Equal(winner, (await fixture.GetProfileAsync()).Version);

        // Act 2: clone A swaps; once it holds the lock, clone B swaps with -LockWaitSeconds and waits its turn.
        var first = fixture.RunScriptAsync("swap.ps1", ["-Version", loser], output, cloneA.ScriptsDirectory);
        await fixture.WaitForLockAsync(first);
        var second = await fixture.RunScriptAsync(
            "swap.ps1", ["-Version", winner, "-LockWaitSeconds", "300"], output, cloneB.ScriptsDirectory);
        var firstResult = await first;

        // Assert 2: both succeeded, one after the other; the second said whom it waited for.
        Assert.True(firstResult.ExitCode == 0, $"clone A's swap exited {firstResult.ExitCode}:\n{firstResult.StdErr}");
        Assert.True(second.ExitCode == 0, $"clone B's swap exited {second.ExitCode}:\n{second.StdErr}");
        Assert.Contains("waiting for lock held by", second.StdOut, StringComparison.Ordinal);
        Assert.Contains($"-Version {loser}", second.StdOut, StringComparison.Ordinal);
        Assert.Equal(winner, (await fixture.GetProfileAsync()).Version);

        // Assert 3: clone B's history shows clone A's swap too, newest first; refusals are not state changes.
        var history = await fixture.HistoryAsync(output, 3, cloneB.ScriptsDirectory);
        Assert.Equal(["Swap", "Swap", "Swap"], history.Select(e => e.Mode));
        Assert.Equal([winner, loser, winner], history.Select(e => e.ToVersion));
        Assert.All(history, e =>
        {
            Assert.Equal("Succeeded", e.Result);
            Assert.False(string.IsNullOrEmpty(e.User));
            Assert.False(string.IsNullOrEmpty(e.Host));
            Assert.StartsWith("swap.ps1 ", e.Command, StringComparison.Ordinal);
            Assert.Equal("Lock", e.Steps[0].Name);
            Assert.All(e.Steps, s => Assert.True(s.Seconds >= 0));
        });
        Assert.True(history[0].Id > history[1].Id && history[1].Id > history[2].Id, "the history is not newest first");
    }

    [Fact]
    public async Task RollbackVersion_TwoDeploysBack_ThroughTheGatedStepsAfterPruneKeptEveryTarget()
    {
        // Arrange: three deploys, so that 2.0.0 is two deploys back from 4.0.0.
        await fixture.StartedAsync();
        foreach (var version in new[] { "2.0.0", "3.0.0", "4.0.0" })
        {
            await RunAndAssertSuccessAsync("swap.ps1", ["-Version", version]);
        }

        // Act 1: prune with a window of three, first as a plan, then for real.
        var plan = await fixture.RunScriptAsync("prune.ps1", ["-RetainVersions", "3", "-WhatIf"], output);
        var prune = await fixture.RunScriptAsync("prune.ps1", ["-RetainVersions", "3"], output);
        // Prune may have removed the broken versions other tests of this class deploy (tried here, never live).
        await fixture.RestoreFaultyImagesAsync();

        // Assert 1: every rollback target is kept, and said why.
        Assert.True(plan.ExitCode == 0, $"prune -WhatIf exited {plan.ExitCode}:\n{plan.StdErr}");
        Assert.True(prune.ExitCode == 0, $"prune exited {prune.ExitCode}:\n{prune.StdErr}");
        foreach (var tag in new[] { "2.0.0", "3.0.0", "4.0.0", "blue", "green" })
        {
            Assert.Matches($@"(?m)^keep +\S+:{Regex(tag)} \(", plan.StdOut);
            Assert.True(await fixture.TagExistsAsync(tag), $"prune removed {tag}:\n{prune.StdOut}");
        }

        // Act 2: roll back to 2.0.0.
        var rollback = await fixture.RunScriptAsync("rollback.ps1", ["-Version", "2.0.0"], output);

        // Assert 2: it went through the swap's gated steps and serves 2.0.0.
        Assert.True(rollback.ExitCode == 0, $"rollback -Version 2.0.0 exited {rollback.ExitCode}:\n{rollback.StdErr}");
        Assert.Contains("Gate ", rollback.StdOut, StringComparison.Ordinal);
        Assert.Equal("2.0.0", (await fixture.GetProfileAsync()).Version);

        // Act 3 + Assert 3: a version outside the window is refused, listing the window, and nothing changes.
        var refused = await fixture.RunScriptAsync("rollback.ps1", ["-Version", "0.0.1-never"], output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("0.0.1-never is not retained", refused.StdErr + refused.StdOut, StringComparison.Ordinal);
        Assert.Contains("2.0.0, 4.0.0, 3.0.0", refused.StdErr + refused.StdOut, StringComparison.Ordinal);
        Assert.Equal("2.0.0", (await fixture.GetProfileAsync()).Version);

        // The history has the rollback and the prune, with what it kept.
        var history = await fixture.HistoryAsync(output, 2);
        Assert.Equal(("Rollback", "Succeeded", "2.0.0"), (history[0].Mode, history[0].Result, history[0].ToVersion));
        Assert.Equal(("Prune", "Succeeded"), (history[1].Mode, history[1].Result));
        Assert.Equal(["4.0.0", "3.0.0", "2.0.0"], history[1].Retained);
    }

    [Fact]
    public async Task BreakLockThenFailingPreDeployHook_LiveHolderKeptDeadOneBrokenAndNothingChanged()
    {
        // Arrange
        await fixture.StartedAsync();
        var before = await fixture.StatusAsync(output);
        var active = before.ActiveSlot;
        var idle = Other(active);
        var activeVersion = before.Slot(active).Version;
        var idleImage = await fixture.SlotImageIdAsync(idle);
        var idleState = await fixture.ContainerStateAsync(idle);
        using var hooks = new KitClone(hooksOnly: true);
        hooks.WriteHook("pre-deploy", "echo \"pre-deploy: $ZDD_OPERATION of $ZDD_VERSION\"; echo 'change freeze' >&2; exit 1");
        // A run on another machine holds the lock and beat a second ago.
        await fixture.PlantLockAsync(heartbeatSecondsAgo: 1);
        try
        {
            // Act 1: -BreakLock on a live holder.
            var live = await fixture.RunScriptAsync("swap.ps1", ["-Version", "4.0.0", "-BreakLock"], output);

            // Assert 1: refused, the holder named and kept.
            Assert.Equal(2, live.ExitCode);
            Assert.Contains("Refusing to break the deploy lock", live.StdErr + live.StdOut, StringComparison.Ordinal);
            Assert.Contains("ops@build-agent-7 pid 4242", live.StdErr + live.StdOut, StringComparison.Ordinal);
            Assert.True(await DeployState.LockHeldAsync(fixture.Stack));

            // Act 2: the holder is dead (no heartbeat for a minute); -BreakLock again, with the failing pre-deploy hook.
            await fixture.PlantLockAsync(heartbeatSecondsAgo: 60);
            var run = await fixture.RunScriptAsync(
                "swap.ps1", ["-Version", "4.0.0", "-BreakLock", "-HooksDirectory", hooks.HooksDirectory], output);

            // Assert 2: the lock was broken, then the hook refused the deploy before anything changed.
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("pre-deploy hook exited with 1", run.StdErr + run.StdOut, StringComparison.Ordinal);
            var profile = await fixture.GetProfileAsync();
            Assert.Equal((active, activeVersion), (profile.Slot, profile.Version));
            Assert.Equal(idleImage, await fixture.SlotImageIdAsync(idle));
            Assert.Equal(idleState, await fixture.ContainerStateAsync(idle));
            Assert.False(await DeployState.LockHeldAsync(fixture.Stack));

            // The history: the refused swap with the hook's output and exit code, after the audit of the broken lock.
            var history = await fixture.HistoryAsync(output, 2);
            Assert.Equal(("Swap", "Refused", 3), (history[0].Mode, history[0].Result, history[0].FailedStep));
            var hook = Assert.Single(history[0].Hooks);
            Assert.Equal(("pre-deploy", 1), (hook.Name, hook.ExitCode));
            Assert.Contains("change freeze", hook.Output, StringComparison.Ordinal);
            Assert.Contains("pre-deploy: swap of 4.0.0", hook.Output, StringComparison.Ordinal);
            Assert.Equal("BreakLock", history[1].Mode);
            Assert.Contains("-BreakLock", history[1].Command, StringComparison.Ordinal);
        }
        finally
        {
            await DeployState.ClearLockAsync(fixture.Stack);
        }
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    public sealed record HookResult(string Name, int? ExitCode, string Output);

    public sealed record HistoryStep(string Name, double Seconds, string Result);

    public sealed record HistoryEntry(
        long Id, string Mode, string Result, string? ToVersion, int? FailedStep, string User, string Host,
        string Command, IReadOnlyList<HistoryStep> Steps, IReadOnlyList<HookResult> Hooks,
        IReadOnlyList<string> Retained);

    /// <summary>
    /// A folder with a copy of the kit's files a deploy needs (deploy-scripts/, docker-compose.yaml, nginx/, db/), as a
    /// second checkout on another machine would have; or, with hooksOnly, just a hooks folder. Deleted on dispose.
    /// </summary>
    private sealed class KitClone : IDisposable
    {
        public KitClone(bool hooksOnly = false)
        {
            Root = Directory.CreateTempSubdirectory("zdd-kit-clone-").FullName;
            HooksDirectory = Path.Combine(Root, "hooks");
            Directory.CreateDirectory(HooksDirectory);
            if (hooksOnly)
            {
                return;
            }

            foreach (var folder in new[] { "deploy-scripts", "nginx", "db" })
            {
                Copy(Path.Combine(RepoPaths.Root, folder), Path.Combine(Root, folder));
            }

            File.Copy(RepoPaths.ComposeFile, Path.Combine(Root, "docker-compose.yaml"));
        }

        public string Root { get; }

        public string HooksDirectory { get; }

        public string ScriptsDirectory => Path.Combine(Root, "deploy-scripts");

        public void WriteHook(string name, string body)
        {
            var path = Path.Combine(HooksDirectory, name);
            File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);

        private static void Copy(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in Directory.EnumerateFiles(from))
            {
                var target = Path.Combine(to, Path.GetFileName(file));
                File.Copy(file, target);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(target, File.GetUnixFileMode(file));
                }
            }

            foreach (var directory in Directory.EnumerateDirectories(from))
            {
                Copy(directory, Path.Combine(to, Path.GetFileName(directory)));
            }
        }
    }

    public sealed partial class StackFixture
    {
        public ComposeStack Stack => stack ?? throw new InvalidOperationException("Call StartedAsync first.");

        /// <summary>Waits (bounded) until a run holds the deploy lock, or the given run has ended.</summary>
        public async Task WaitForLockAsync(Task running)
        {
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(120);
            while (!await DeployState.LockHeldAsync(Stack) && !running.IsCompleted && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }

        /// <summary>Puts a holder into the lock as a run on another machine would hold it (replacing any).</summary>
        public async Task PlantLockAsync(int heartbeatSecondsAgo)
        {
            var sql = "DELETE FROM deploy_lock; INSERT INTO deploy_lock (token, user_name, host_name, pid, command, " +
                "started_at, heartbeat_at) VALUES (gen_random_uuid(), 'ops', 'build-agent-7', 4242, " +
                "'swap.ps1 -Version 9.9.9', now() - interval '5 minutes', " +
                $"now() - interval '{heartbeatSecondsAgo} seconds')";
            (await DeployState.QueryAsync(Stack, sql)).EnsureSuccess("planting a deploy lock");
        }

        public async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(
            ITestOutputHelper output, int last, string? scriptsDirectory = null)
        {
            var result = await RunScriptAsync(
                "status.ps1", ["-History", "-Last", $"{last}", "-Json"], output, scriptsDirectory);
            result.EnsureSuccess("status.ps1 -History -Json");
            using var document = JsonDocument.Parse(result.StdOut);
            static string? Text(JsonElement e, string name) =>
                e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            static int? Int(JsonElement e, string name) =>
                e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
            return document.RootElement.EnumerateArray().Select(e => new HistoryEntry(
                    e.GetProperty("Id").GetInt64(),
                    Text(e, "Mode")!,
                    Text(e, "Result")!,
                    Text(e, "ToVersion"),
                    Int(e, "FailedStep"),
                    Text(e, "User") ?? "",
                    Text(e, "Host") ?? "",
                    Text(e, "Command") ?? "",
                    e.GetProperty("Steps").EnumerateArray()
                        .Select(s => new HistoryStep(Text(s, "Name")!, s.GetProperty("Seconds").GetDouble(), Text(s, "Result")!))
                        .ToList(),
                    e.GetProperty("Hooks").EnumerateArray()
                        .Select(h => new HookResult(Text(h, "Name")!, Int(h, "ExitCode"), Text(h, "Output") ?? ""))
                        .ToList(),
                    e.GetProperty("Details").TryGetProperty("Retained", out var retained)
                        ? retained.EnumerateArray().Select(v => v.GetString()!).ToList()
                        : []))
                .ToList();
        }

        public async Task<bool> TagExistsAsync(string tag) =>
            (await ProcessRunner.RunAsync("docker", ["image", "inspect", $"{Stack.ApiImageRepository}:{tag}"])).ExitCode == 0;

        /// <summary>Builds the broken versions again if a prune removed them (cheap: every layer but one is cached).</summary>
        public async Task RestoreFaultyImagesAsync()
        {
            var good = $"{Stack.ApiImageRepository}:2.0.0";
            foreach (var (version, fault) in new[] { (BrokenVersion, ApiFault.NeverReady), (CrashVersion, ApiFault.CrashOnStart) })
            {
                if (!await TagExistsAsync(version))
                {
                    await FaultyApiImage.BuildAsync(good, $"{Stack.ApiImageRepository}:{version}", fault);
                }
            }
        }
    }
}
