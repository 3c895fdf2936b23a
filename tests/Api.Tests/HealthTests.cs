// Liveness, readiness (database, migrations, draining), admin status, and readiness during shutdown while a request
// is still running.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Admin;
using Api.Health;
using Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Api.Tests;

public sealed class HealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetLive_Running_Healthy()
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();

        // Act
        using var response = await client.GetAsync("/health/live", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"Healthy"}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task GetReady_MigratedDatabase_OkNotDraining()
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();

        // Act
        var (status, body) = await GetReadyAsync(client);

        // Assert
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("draining").GetBoolean());
        Assert.Equal(0, body.GetProperty("inFlight").GetInt32());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString());
    }

    [Fact]
    public async Task GetReady_DatabaseUnreachable_ServiceUnavailable()
    {
        // Arrange
        await using var factory = new ApiFactory("Production", ApiFactory.Production());
        var client = factory.CreateClient();

        // Act
        var (status, body) = await GetReadyAsync(client);

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task GetReady_DatabaseAcceptsButNeverAnswers_ServiceUnavailableWithinProbeTimeout()
    {
        // Arrange: a "database" that accepts TCP connections and then stays silent, like a hung server.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var factory = new ApiFactory("Production", ApiFactory.Production(
            ("DB_HOST", "127.0.0.1"), ("DB_PORT", port)));
        var client = factory.CreateClient();
        var clock = Stopwatch.StartNew();

        // Act
        var (status, _) = await GetReadyAsync(client);

        // Assert: inside the 5 s the Dockerfile HEALTHCHECK and the deploy scripts give a probe.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"readiness took {clock.Elapsed}");
    }

    [Fact]
    public async Task GetAdminStatus_SlowRequestInFlight_CountsItButNotItself()
    {
        // Arrange
        await using var factory = new ApiFactory("Development", new Dictionary<string, string?> { ["SLOT"] = "green" });
        var client = factory.CreateClient();
        var management = factory.CreateManagementClient();
        var slow = client.GetAsync("/slow?ms=4000", Ct);
        await WaitForInFlightAsync(factory, 1);

        // Act
        var status = await management.GetFromJsonAsync<AdminApi.AdminStatus>("/admin/status", Ct);
        using var slowResponse = await slow;
        var after = await management.GetFromJsonAsync<AdminApi.AdminStatus>("/admin/status", Ct);

        // Assert
        Assert.Equal(1, status!.InFlight);
        Assert.Equal("green", status.Slot);
        Assert.False(status.Draining);
        Assert.Equal(0, after!.InFlight);
    }

    [Fact]
    public async Task GetAdminStatus_RequestsServed_RequestsStartedCountsThemButNotHealthOrAdmin()
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();
        var management = factory.CreateManagementClient();
        var before = await management.GetFromJsonAsync<AdminApi.AdminStatus>("/admin/status", Ct);

        // Act
        (await client.GetAsync("/profile", Ct)).Dispose();
        (await client.GetAsync("/no-such-route", Ct)).Dispose();
        (await client.GetAsync("/health/ready", Ct)).Dispose();
        (await client.GetAsync("/health/live", Ct)).Dispose();
        var after = await management.GetFromJsonAsync<AdminApi.AdminStatus>("/admin/status", Ct);

        // Assert: the drain's quiet window compares this total; a probe's own requests must not move it.
        Assert.Equal(before!.RequestsStarted + 2, after!.RequestsStarted);
        Assert.Equal(0, after.InFlight);
    }

    [Fact]
    public async Task Shutdown_SlowRequestInFlight_ReadinessTurns503AndRequestCompletes()
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();
        var (before, _) = await GetReadyAsync(client);
        var slow = client.GetAsync("/slow?ms=4000", Ct);
        await WaitForInFlightAsync(factory, 1);

        // Act: what SIGTERM does first.
        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var (during, body) = await GetReadyAsync(client);
        using var slowResponse = await slow;

        // Assert
        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, during);
        Assert.True(body.GetProperty("draining").GetBoolean());
        Assert.Equal(1, body.GetProperty("inFlight").GetInt32());
        Assert.Equal("shutting down", body.GetProperty("checks").GetProperty("draining").GetProperty("description").GetString());
        using var management = factory.CreateManagementClient();
        Assert.True((await management.GetFromJsonAsync<AdminApi.AdminStatus>("/admin/status", Ct))!.Draining);
        Assert.Equal(HttpStatusCode.OK, slowResponse.StatusCode);
    }

    [Fact]
    public async Task Sigterm_SlowRequestInFlight_RequestCompletesAndProcessExitsZero()
    {
        // Arrange: the real process, as docker stop would end it.
        var directory = TempDirectory.Create("sigterm");
        await using var app = AppProcess.Start(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DB_NAME"] = Path.Combine(directory, "notes.db"),
            ["SHUTDOWN_TIMEOUT_SECONDS"] = "20",
        });
        using var client = new HttpClient { BaseAddress = await app.WaitUntilListeningAsync() };
        using var management = new HttpClient { BaseAddress = app.ManagementBase };
        var slow = client.GetAsync("/slow?ms=5000", Ct);
        await WaitUntilAsync(async () =>
            (await management.GetFromJsonAsync<AdminApi.AdminStatus>("/admin/status", Ct))!.InFlight == 1);

        // Act
        await app.TerminateAsync();
        using var slowResponse = await slow;
        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal(HttpStatusCode.OK, slowResponse.StatusCode);
        Assert.Equal(0, exitCode);
        Assert.Contains("Application is shutting down", app.StdOut, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready", Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (response.StatusCode, body);
    }

    private static Task WaitForInFlightAsync(ApiFactory factory, int count) =>
        WaitUntilAsync(() => Task.FromResult(factory.Services.GetRequiredService<InFlightRequests>().Count == count));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(20, Ct);
        }
    }
}
