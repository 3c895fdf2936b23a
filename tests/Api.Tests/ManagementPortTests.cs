// /admin only on the management port: refused (404, as if absent) on the public port in every spelling and with a
// Host header that names the management port, answered on 127.0.0.1:MANAGEMENT_PORT, which the probe verb finds by
// itself. In process for the routing, and as the real process for what only Kestrel's sockets show.
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Api.Admin;
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class ManagementPortTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("GET", "/admin/status")]
    [InlineData("GET", "/ADMIN/Status")]
    [InlineData("GET", "/%61dmin/status")]
    [InlineData("GET", "/admin/status/")]
    [InlineData("GET", "/admin/status?x=1")]
    [InlineData("POST", "/admin/drain")]
    public async Task Admin_OnPublicPort_NotFoundProblemAndNothingChanges(string method, string path)
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();
        var management = factory.CreateManagementClient();

        // Act
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        var status = await management.GetFromJsonAsync<AdminApi.AdminStatus>("/admin/status", Ct);

        // Assert: the drain (the one state change) did not happen.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(status!.Draining);
    }

    [Fact]
    public async Task AdminStatus_OnManagementPort_Ok()
    {
        // Arrange
        await using var factory = new ApiFactory("Development", new Dictionary<string, string?> { ["SLOT"] = "green" });
        var management = factory.CreateManagementClient();

        // Act
        var status = await management.GetFromJsonAsync<AdminApi.AdminStatus>("/admin/status", Ct);

        // Assert
        Assert.Equal("green", status!.Slot);
    }

    [Fact]
    public async Task RealProcess_AdminOnEachPort_OnlyManagementPortAnswersEvenWithSpoofedHost()
    {
        // Arrange
        await using var app = StartDevApp();
        var publicBase = await app.WaitUntilListeningAsync();
        using var client = new HttpClient();
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, new Uri(publicBase, "/admin/status"));
        // What RequireHost("*:9090") alone would believe.
        spoofed.Headers.Host = $"localhost:{app.ManagementPort}";

        // Act
        using var onPublic = await client.GetAsync(new Uri(publicBase, "/admin/status"), Ct);
        using var withSpoofedHost = await client.SendAsync(spoofed, Ct);
        using var onManagement = await client.GetAsync(new Uri(app.ManagementBase, "/admin/status"), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withSpoofedHost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onManagement.StatusCode);
        Assert.Contains($"Now listening on: http://127.0.0.1:{app.ManagementPort}", app.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_AdminPathWithoutPort_GoesToManagementPort()
    {
        // Arrange: what the deploy scripts run inside a slot: `dotnet Api.dll probe /admin/status`, no --port.
        await using var app = StartDevApp();
        var publicPort = (await app.WaitUntilListeningAsync()).Port.ToString(CultureInfo.InvariantCulture);
        var managementPort = app.ManagementPort.ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string?> { ["MANAGEMENT_PORT"] = managementPort };

        // A long --timeout: on a busy machine the app's first answers (JIT) can take longer than the default 5 s,
        // which is not what this test is about.
        // Act
        var admin = await AppProcess.RunAsync(environment, null, "probe", "/admin/status", "--timeout", "60");
        var adminOnPublicPort = await AppProcess.RunAsync(
            environment, null, "probe", "/admin/status", "--port", publicPort, "--timeout", "60");

        // Assert
        Assert.True(admin.ExitCode == 0, admin.StdErr);
        Assert.Contains("\"inFlight\":", admin.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, adminOnPublicPort.ExitCode);
        Assert.Contains("answered 404", adminOnPublicPort.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_ManagementPortSameAsPublicPort_RefusesNamingIt()
    {
        // Arrange
        var directory = TempDirectory.Create("management");
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DB_NAME"] = Path.Combine(directory, "notes.db"),
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:18080",
            ["MANAGEMENT_PORT"] = "18080",
        };

        // Act
        var (exitCode, _, stderr) = await AppProcess.RunAsync(environment);

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains("MANAGEMENT_PORT: expected a port the public addresses (http://127.0.0.1:18080) do not use, " +
            "got '18080'", stderr, StringComparison.Ordinal);
    }

    private static AppProcess StartDevApp() => AppProcess.Start(new Dictionary<string, string?>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["DB_NAME"] = Path.Combine(TempDirectory.Create("management"), "notes.db"),
    });
}
