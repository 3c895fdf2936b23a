// Docker tests of the real deploy scripts (deploy-scripts/swap.ps1, rollback.ps1, status.ps1) against a compose stack
// of their own (Docker.Testing.ComposeStack: the shipped docker-compose.yaml and nginx/ in place). Each test reads the
// active slot first, so that neither depends on the other's order. Skipped without Docker; failed when
// ZDD_REQUIRE_DOCKER=true. Everything created (stack with its deploy state, image tags) is removed in DisposeAsync.
// SwapScriptTests.Operations.cs adds the cases of the operations around a swap (two clones, history, rollback to a
// retained version, prune, hooks) on the same stack.
using System.Net;
using System.Text.Json;
using Docker.Testing;
using Xunit;

namespace Deploy.Tests;

public sealed partial class SwapScriptTests(SwapScriptTests.StackFixture fixture, ITestOutputHelper output)
    : IClassFixture<SwapScriptTests.StackFixture>
{
    [Fact]
    public async Task SwapSwapRollback_RealStack_TrafficMovesAndOldSlotStops()
    {
        // Arrange
        await fixture.StartedAsync();
        var start = await fixture.StatusAsync(output);
        var first = start.ActiveSlot;
        var second = Other(first);

        // Act + Assert: swap to the idle slot with a new version.
        await RunAndAssertSuccessAsync("swap.ps1", ["-Version", "2.0.0"]);
        await AssertServingAsync(expectedSlot: second, expectedVersion: "2.0.0", stoppedSlot: first, mode: "Swap");

        // Act + Assert: swap back, with another version.
        await RunAndAssertSuccessAsync("swap.ps1", ["-Version", "3.0.0"]);
        await AssertServingAsync(expectedSlot: first, expectedVersion: "3.0.0", stoppedSlot: second, mode: "Swap");

        // Act + Assert: roll back to the previous slot, which kept its image (2.0.0).
        await RunAndAssertSuccessAsync("rollback.ps1", []);
        await AssertServingAsync(expectedSlot: second, expectedVersion: "2.0.0", stoppedSlot: first, mode: "Rollback");
    }

    [Fact]
    public async Task Swap_VersionNeverReady_ExitsNonZeroOldSlotServesRollbackTargetKept()
    {
        // Arrange
        await fixture.StartedAsync();
        var before = await fixture.StatusAsync(output);
        var active = before.ActiveSlot;
        var idle = Other(active);
        var activeVersion = before.Slot(active).Version;
        var idleImage = await fixture.SlotImageIdAsync(idle);

        // Act
        var result = await fixture.RunScriptAsync(
            "swap.ps1", ["-Version", StackFixture.BrokenVersion, "-ReadyTimeoutSeconds", "20"], output);

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("did not become ready", result.StdErr + result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"docker compose logs api-{idle}", result.StdErr + result.StdOut, StringComparison.Ordinal);
        var profile = await fixture.GetProfileAsync();
        Assert.Equal(active, profile.Slot);
        Assert.Equal(activeVersion, profile.Version);
        Assert.Equal("exited", await fixture.ContainerStateAsync(idle));
        var after = await fixture.StatusAsync(output);
        Assert.Equal(active, after.ActiveSlot);
        Assert.Null(after.LockPid);
        Assert.Equal("RolledBack", after.LastResult);

        // The idle slot's tag points at its previous image again, so a rollback still has a good target.
        Assert.Equal(idleImage, await fixture.SlotImageIdAsync(idle));
        var rollback = await fixture.RunScriptAsync("rollback.ps1", [], output);
        Assert.True(rollback.ExitCode == 0, $"rollback.ps1 after the failed swap exited {rollback.ExitCode}:\n{rollback.StdErr}");
        Assert.Equal(idle, (await fixture.GetProfileAsync()).Slot);
        Assert.Equal("exited", await fixture.ContainerStateAsync(active));
    }

    [Fact]
    public async Task Swap_VersionCrashesOnStart_FailsFastAndOldSlotKeepsServing()
    {
        // Arrange
        await fixture.StartedAsync();
        var active = (await fixture.StatusAsync(output)).ActiveSlot;
        var started = System.Diagnostics.Stopwatch.StartNew();

        // Act: a long ready timeout, so that only the gate's crash detection can end the swap early.
        var result = await fixture.RunScriptAsync(
            "swap.ps1", ["-Version", StackFixture.CrashVersion, "-ReadyTimeoutSeconds", "300"], output);

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("instead of starting", result.StdErr + result.StdOut, StringComparison.Ordinal);
        Assert.Contains(FaultyApiImage.CrashMessage, result.StdErr + result.StdOut, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(150), $"the crash was found after {started.Elapsed}");
        Assert.Equal(active, (await fixture.GetProfileAsync()).Slot);
        Assert.Equal("exited", await fixture.ContainerStateAsync(Other(active)));
    }

    [Fact]
    public async Task Swap_InterruptedDuringGate_Exits130LockReleasedAndRerunRepairs()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Ctrl+C is sent as SIGINT; Windows has no equivalent for a child process.");
        }

        // Arrange
        await fixture.StartedAsync();
        var before = await fixture.StatusAsync(output);
        var active = before.ActiveSlot;
        var idleImage = await fixture.SlotImageIdAsync(Other(active));

        // Act: Ctrl+C while the gate waits for a version that never becomes ready.
        var interrupted = await fixture.RunScriptInterruptedAsync(
            "swap.ps1", ["-Version", StackFixture.BrokenVersion, "-ReadyTimeoutSeconds", "120"], "[4/13]", output);

        // Assert: a non-zero exit, nothing switched, no lock left, the interruption recorded.
        Assert.Equal(130, interrupted.ExitCode);
        Assert.Equal(active, (await fixture.GetProfileAsync()).Slot);
        var after = await fixture.StatusAsync(output);
        Assert.Equal(active, after.ActiveSlot);
        Assert.Null(after.LockPid);
        Assert.Equal("Interrupted", after.LastResult);
        Assert.Equal(idleImage, await fixture.SlotImageIdAsync(Other(active)));
        // Ctrl+C unwinds like a failure: the slot it started is stopped again.
        Assert.Equal("exited", await fixture.ContainerStateAsync(Other(active)));

        // Act + Assert: a rerun completes the job with a good version.
        var rerun = await fixture.RunScriptAsync("swap.ps1", ["-Version", "2.0.0"], output);
        Assert.True(rerun.ExitCode == 0, $"the rerun exited {rerun.ExitCode}:\n{rerun.StdErr}");
        Assert.Equal(Other(active), (await fixture.GetProfileAsync()).Slot);
    }

    private static string Other(string slot) => slot == "blue" ? "green" : "blue";

    private async Task RunAndAssertSuccessAsync(string script, string[] args)
    {
        var result = await fixture.RunScriptAsync(script, args, output);
        Assert.True(result.ExitCode == 0, $"{script} {string.Join(' ', args)} exited {result.ExitCode}:\n{result.StdErr}");
    }

    private async Task AssertServingAsync(string expectedSlot, string expectedVersion, string stoppedSlot, string mode)
    {
        // Through nginx: several requests, each answered by the new slot.
        for (var i = 0; i < 5; i++)
        {
            var profile = await fixture.GetProfileAsync();
            Assert.Equal(expectedSlot, profile.Slot);
            Assert.Equal(expectedVersion, profile.Version);
        }

        // The old slot's container exists and is stopped (kept for an instant rollback).
        Assert.Equal("exited", await fixture.ContainerStateAsync(stoppedSlot));

        // status.ps1 -Json tells the same story.
        var status = await fixture.StatusAsync(output);
        Assert.Equal(expectedSlot, status.ActiveSlot);
        var active = status.Slot(expectedSlot);
        Assert.Equal("running", active.State);
        Assert.True(active.Ready);
        Assert.Equal(expectedVersion, active.Version);
        Assert.Equal("exited", status.Slot(stoppedSlot).State);
        Assert.False(status.Slot(stoppedSlot).Ready);
        Assert.Null(status.LockPid);
        Assert.Equal("Succeeded", status.LastResult);
        Assert.Equal(mode, status.LastMode);
        Assert.Equal(expectedSlot, status.LastToSlot);
    }

    public sealed record SlotStatus(string Slot, string State, bool Ready, string? Version);

    public sealed record StackStatus(
        string ActiveSlot, IReadOnlyList<SlotStatus> Slots, int? LockPid, string? LastResult, string? LastMode,
        string? LastToSlot)
    {
        public SlotStatus Slot(string name) => Slots.Single(s => s.Slot == name);
    }

    public sealed record Profile(string Slot, string Version);

    /// <summary>
    /// One stack for the class, with the versions the tests deploy: 2.0.0, 3.0.0, 4.0.0 and the broken ones. Started by the
    /// first test's <see cref="StartedAsync"/> (after DockerRequirement), not in a fixture's InitializeAsync, so that a
    /// machine without Docker skips each test instead of failing the class.
    /// </summary>
    public sealed partial class StackFixture : IAsyncDisposable
    {
        public const string BrokenVersion = "9.9.9-never-ready";

        public const string CrashVersion = "9.9.9-crash";

        private readonly SharedDockerResource<ComposeStack> shared = new(StartAsync, started => started.DisposeAsync());
        private ComposeStack? stack;

        /// <summary>Skips (or fails, in CI) without Docker; starts the stack and builds the versions once.</summary>
        public async Task StartedAsync() => stack = await shared.GetAsync();

        public async ValueTask DisposeAsync() => await shared.DisposeAsync();

        private static async Task<ComposeStack> StartAsync()
        {
            var started = await ComposeStack.StartAsync(
                new ComposeStackOptions
                {
                    NamePrefix = "zdd-deploy",
                    ApiVersion = "1.0.0",
                    // The shipped per-address limits (.env.sample), not the test stacks' raised ones: only the
                    // scripts talk to this stack, and every swap's warm-up must then keep within them (a warm-up
                    // answered 429 fails the gate, and the swap rolls back).
                    Environment = new Dictionary<string, string>
                    {
                        ["LIMIT_REQ_RATE"] = "20",
                        ["LIMIT_REQ_BURST"] = "40",
                        ["LIMIT_CONN"] = "20",
                    },
                });
            try
            {
                var good = await ApiImage.BuildAsync(started.ApiImageRepository, "2.0.0");
                await ApiImage.BuildAsync(started.ApiImageRepository, "3.0.0");
                await ApiImage.BuildAsync(started.ApiImageRepository, "4.0.0");
                await FaultyApiImage.BuildAsync(good, $"{started.ApiImageRepository}:{BrokenVersion}", ApiFault.NeverReady);
                await FaultyApiImage.BuildAsync(good, $"{started.ApiImageRepository}:{CrashVersion}", ApiFault.CrashOnStart);
                return started;
            }
            catch
            {
                await started.DisposeAsync();
                throw;
            }
        }

        /// <summary>Runs a deploy script against this stack; from another copy of the kit with scriptsDirectory.</summary>
        public async Task<ProcessResult> RunScriptAsync(
            string script, IEnumerable<string> args, ITestOutputHelper output, string? scriptsDirectory = null)
        {
            string[] target =
            [
                "-ProjectName", Stack.ProjectName, "-ComposeFile", Stack.ComposeFile, "-EnvFile", Stack.EnvFile,
            ];
            var result = await Pwsh.RunFileAsync(
                Path.Combine(scriptsDirectory ?? Pwsh.ScriptsDirectory, script), [.. args, .. target], Stack.Environment,
                TimeSpan.FromMinutes(8));
            output.WriteLine($"--- {script} {string.Join(' ', args)}: exit {result.ExitCode}");
            output.WriteLine(result.StdOut);
            output.WriteLine(result.StdErr);
            return result;
        }

        /// <summary>
        /// Runs a script as its own process (pwsh.dll under dotnet, so that the signal reaches PowerShell itself) and
        /// sends it SIGINT, as Ctrl+C does, two seconds after <paramref name="interruptAfter"/> appears in its output.
        /// </summary>
        public async Task<ProcessResult> RunScriptInterruptedAsync(
            string script, IEnumerable<string> args, string interruptAfter, ITestOutputHelper output)
        {
            var home = await Pwsh.HomeAsync();
            // Through `env --default-signal=INT`: a test host started in the background of a shell (`dotnet test &`)
            // inherits SIGINT as ignored, passes that on to pwsh, and .NET then never sees the Ctrl+C this test sends.
            var startInfo = new System.Diagnostics.ProcessStartInfo("env")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = RepoPaths.Root,
            };
            string[] all =
            [
                "--default-signal=INT", "dotnet", Path.Combine(home, "pwsh.dll"), "-NoLogo", "-NoProfile", "-NonInteractive", "-File",
                Path.Combine(Pwsh.ScriptsDirectory, script), .. args, "-ProjectName", Stack.ProjectName,
                "-ComposeFile", Stack.ComposeFile, "-EnvFile", Stack.EnvFile,
            ];
            foreach (var arg in all)
            {
                startInfo.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in Stack.Environment)
            {
                startInfo.Environment[key] = value;
            }

            using var process = System.Diagnostics.Process.Start(startInfo)!;
            process.StandardInput.Close();
            var stdout = new System.Text.StringBuilder();
            var stderr = new System.Text.StringBuilder();
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                lock (stdout)
                {
                    stdout.AppendLine(e.Data);
                }

                if (e.Data?.Contains(interruptAfter, StringComparison.Ordinal) == true)
                {
                    seen.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            try
            {
                await seen.Task.WaitAsync(TimeSpan.FromMinutes(3));
                await Task.Delay(TimeSpan.FromSeconds(2));
                Assert.Equal(0, NativeMethods.Kill(process.Id, NativeMethods.SigInt));
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await process.WaitForExitAsync(cts.Token);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            var result = new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString());
            output.WriteLine($"--- {script} (interrupted after '{interruptAfter}'): exit {result.ExitCode}");
            output.WriteLine(result.StdOut);
            output.WriteLine(result.StdErr);
            return result;
        }

        public async Task<StackStatus> StatusAsync(ITestOutputHelper output)
        {
            var result = await RunScriptAsync("status.ps1", ["-Json"], output);
            result.EnsureSuccess("status.ps1 -Json");
            using var document = JsonDocument.Parse(result.StdOut);
            var root = document.RootElement;
            var slots = root.GetProperty("Slots").EnumerateArray()
                .Select(s => new SlotStatus(
                    s.GetProperty("Slot").GetString()!,
                    s.GetProperty("State").GetString()!,
                    s.GetProperty("Ready").GetBoolean(),
                    s.GetProperty("Version").ValueKind == JsonValueKind.String ? s.GetProperty("Version").GetString() : null))
                .ToList();
            var lockElement = root.GetProperty("Lock");
            int? lockPid = lockElement.ValueKind == JsonValueKind.Object ? lockElement.GetProperty("Pid").GetInt32() : null;
            var deploys = root.GetProperty("LastDeploys");
            string? Last(string name) => deploys.GetArrayLength() > 0 ? deploys[0].GetProperty(name).GetString() : null;
            return new StackStatus(
                root.GetProperty("ActiveSlot").GetString()!, slots, lockPid, Last("Result"), Last("Mode"), Last("ToSlot"));
        }

        public async Task<Profile> GetProfileAsync()
        {
            using var client = Stack.CreateHttpClient();
            using var response = await client.GetAsync(new Uri("/profile", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var slot = body.RootElement.GetProperty("slot").GetString()!;
            Assert.Equal(slot, response.Headers.GetValues("X-Slot").Single());
            return new Profile(slot, body.RootElement.GetProperty("version").GetString()!);
        }

        public async Task<string> SlotImageIdAsync(string slot)
        {
            var result = await ProcessRunner.RunAsync(
                "docker", ["image", "inspect", "--format", "{{.Id}}", $"{Stack.ApiImageRepository}:{slot}"]);
            return result.EnsureSuccess($"docker image inspect {Stack.ApiImageRepository}:{slot}").StdOut.Trim();
        }

        public async Task<string> ContainerStateAsync(string slot)
        {
            var result = (await Stack.ComposeAsync("ps", "--all", "--format", "{{.State}}", $"api-{slot}"))
                .EnsureSuccess($"docker compose ps api-{slot}");
            return result.StdOut.Trim();
        }
    }
}

internal static class NativeMethods
{
    public const int SigInt = 2;

    // SIGINT is what a terminal sends on Ctrl+C; .NET has no API to send it to another process. DllImport rather
    // than LibraryImport: the latter needs unsafe code enabled for the whole project.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}
