// What public answers disclose: no host (container id) and no commit unless EXPOSE_INSTANCE_DETAILS is on, no
// "Server: Kestrel", and `Cache-Control: no-store` on every response, errors included. The slot and version headers
// the deploy scripts and the proof read stay.
using System.Net;
using System.Text.Json;
using Api.Profile;
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class DisclosureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetProfile_ProductionDefault_NoHostAndVersionWithoutBuildMetadata()
    {
        // Arrange: no APP_VERSION, so the version is the assembly's, which carries the commit after '+'.
        await using var factory = new ApiFactory("Production", ApiFactory.Production());
        var client = factory.CreateClient();

        // Act
        using var response = await client.GetAsync("/profile", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var profile = JsonDocument.Parse(body).RootElement;

        // Assert
        Assert.False(profile.TryGetProperty("host", out _), body);
        Assert.DoesNotContain(Environment.MachineName, body, StringComparison.Ordinal);
        Assert.DoesNotContain("+", profile.GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("+", Assert.Single(response.Headers.GetValues(SlotHeaders.VersionHeader)), StringComparison.Ordinal);
        Assert.Equal("blue", Assert.Single(response.Headers.GetValues(SlotHeaders.SlotHeader)));
    }

    [Fact]
    public async Task GetProfile_ExposeInstanceDetails_HostAndFullVersion()
    {
        // Arrange
        await using var factory = new ApiFactory("Production", ApiFactory.Production(("EXPOSE_INSTANCE_DETAILS", "true")));
        var client = factory.CreateClient();

        // Act
        var profile = JsonDocument.Parse(await client.GetStringAsync("/profile", Ct)).RootElement;

        // Assert
        Assert.Equal(Environment.MachineName, profile.GetProperty("host").GetString());
        Assert.Equal(
            typeof(Program).Assembly
                .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion,
            profile.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("GET", "/profile", HttpStatusCode.OK)]
    [InlineData("GET", "/notes", HttpStatusCode.OK)]
    [InlineData("GET", "/notes/12345", HttpStatusCode.NotFound)]
    [InlineData("GET", "/notes?take=0", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/health/ready", HttpStatusCode.OK)]
    [InlineData("DELETE", "/profile", HttpStatusCode.MethodNotAllowed)]
    public async Task AnyResponse_AnyStatus_CacheControlNoStore(string method, string path, HttpStatusCode status)
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();

        // Act
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        // Assert
        Assert.Equal(status, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.ToString());
    }

    [Fact]
    public async Task UnhandledException_Production_CacheControlNoStore()
    {
        // Arrange: the database host does not resolve, so /notes throws; the exception handler rewrites the response.
        await using var factory = new ApiFactory("Production", ApiFactory.Production());
        var client = factory.CreateClient();

        // Act
        using var response = await client.GetAsync("/notes", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task RealProcess_AnyResponse_NoServerHeader()
    {
        // Arrange: Kestrel writes "Server: Kestrel" unless told not to; the in-memory server never does.
        await using var app = AppProcess.Start(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DB_NAME"] = Path.Combine(TempDirectory.Create("disclosure"), "notes.db"),
        });
        using var client = new HttpClient { BaseAddress = await app.WaitUntilListeningAsync() };

        // Act
        using var ok = await client.GetAsync("/profile", Ct);
        using var missing = await client.GetAsync("/no-such-path", Ct);

        // Assert
        Assert.False(ok.Headers.Contains("Server"), ok.Headers.ToString());
        Assert.False(missing.Headers.Contains("Server"), missing.Headers.ToString());
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task Main_SlowEndpoint_NamedInStartupLogOnlyWhenEnabled(string enabled, bool named)
    {
        // Arrange
        await using var app = AppProcess.Start(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ENABLE_SLOW_ENDPOINT"] = enabled,
            ["DB_NAME"] = Path.Combine(TempDirectory.Create("slow-log"), "notes.db"),
        });

        // Act
        await app.WaitUntilListeningAsync();

        // Assert
        Assert.Equal(named, app.StdOut.Contains("GET /slow is enabled (ENABLE_SLOW_ENDPOINT=true)", StringComparison.Ordinal));
    }
}
