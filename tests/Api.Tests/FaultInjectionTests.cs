// The test-only faults of tests/FaultInjection, loaded as the Docker tests load them into a variant image
// (DOTNET_STARTUP_HOOKS + ZDD_FAULT), here into the real `dotnet Api.dll` process: each fault breaks what it says and
// nothing else, the migrate and probe verbs keep working under it, and without ZDD_FAULT the hook changes nothing.
using System.Globalization;
using System.Net;
using System.Text.Json;
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class FaultInjectionTests
{
    private const string CrashMessage = "ZDD_FAULT=crash-on-start: this build crashes at start on purpose";

    /// <summary>Copied beside Api.dll by the project reference; Api.deps.json does not list it, as in the image.</summary>
    private static readonly string HookPath = Path.Combine(AppProcess.AppDirectory, "FaultInjection.dll");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_CrashOnStart_ExitsOneWithMessageBeforeListening()
    {
        // Arrange
        var environment = DevApp(fault: "crash-on-start");

        // Act
        var (exitCode, stdout, stderr) = await AppProcess.RunAsync(environment);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains(CrashMessage, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAndProbe_CrashOnStart_RunAsWithoutTheFault()
    {
        // Arrange: a healthy app for the probe to ask; the verbs run under the fault, as in the broken image.
        await using var healthy = AppProcess.Start(DevApp(fault: null));
        var port = (await healthy.WaitUntilListeningAsync()).Port.ToString(CultureInfo.InvariantCulture);
        var crashing = DevApp(fault: "crash-on-start");

        // Act
        var migrate = await AppProcess.RunAsync(crashing, null, "migrate");
        var probe = await AppProcess.RunAsync(
            crashing, null, "probe", "/health/ready", "--port", port, "--timeout", "60");

        // Assert
        Assert.True(migrate.ExitCode == 0, migrate.StdErr);
        Assert.True(File.Exists(crashing["DB_NAME"]), "migrate created no database");
        Assert.True(probe.ExitCode == 0, probe.StdErr);
        Assert.DoesNotContain(CrashMessage, migrate.StdErr + probe.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NeverReady_ReadyAnswers503WhileLiveAndProfileServe()
    {
        // Arrange
        await using var app = AppProcess.Start(DevApp(fault: "never-ready"));
        var baseAddress = await app.WaitUntilListeningAsync();
        using var client = new HttpClient { BaseAddress = baseAddress };
        var port = baseAddress.Port.ToString(CultureInfo.InvariantCulture);

        // Act
        using var ready = await client.GetAsync("/health/ready", Ct);
        var readyBody = await ready.Content.ReadAsStringAsync(Ct);
        using var live = await client.GetAsync("/health/live", Ct);
        using var profile = await client.GetAsync("/profile", Ct);
        var probe = await AppProcess.RunAsync(
            DevApp(fault: "never-ready"), null, "probe", "/health/ready", "--port", port, "--timeout", "60");

        // Assert: what Docker's HEALTHCHECK and the swap's gate see, while the process stays up.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var check = JsonDocument.Parse(readyBody).RootElement.GetProperty("checks").GetProperty("fault-injection");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains("ZDD_FAULT=never-ready", check.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        Assert.Equal(1, probe.ExitCode);
        Assert.Contains("answered 503", probe.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_HookWithoutFault_ReadyAsUsual()
    {
        // Arrange
        await using var app = AppProcess.Start(DevApp(fault: null));
        using var client = new HttpClient { BaseAddress = await app.WaitUntilListeningAsync() };

        // Act
        using var ready = await client.GetAsync("/health/ready", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.DoesNotContain("fault-injection", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyVerb_UnknownFault_ExitsTwoNamingIt()
    {
        // Arrange: a misspelt fault must not pass for a healthy build.
        var environment = DevApp(fault: "never_ready");

        // Act
        var (exitCode, _, stderr) = await AppProcess.RunAsync(environment, null, "probe", "/health/live", "--port", "1");

        // Assert
        Assert.Equal(2, exitCode);
        Assert.Contains("ZDD_FAULT: unknown fault 'never_ready'", stderr, StringComparison.Ordinal);
    }

    /// <summary>A development app on its own SQLite file, with the hook loaded and <paramref name="fault"/> set.</summary>
    private static Dictionary<string, string?> DevApp(string? fault) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["DB_NAME"] = Path.Combine(TempDirectory.Create("fault"), "notes.db"),
        ["DOTNET_STARTUP_HOOKS"] = HookPath,
        ["ZDD_FAULT"] = fault,
    };
}
