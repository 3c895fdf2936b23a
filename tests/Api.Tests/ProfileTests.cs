// /profile and the headers every response carries, which the deploy scripts read through nginx.
using System.Net;
using System.Net.Http.Json;
using Api.Profile;
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class ProfileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetProfile_Development_ReportsSlotProfileVersionHost()
    {
        // Arrange
        await using var factory = new ApiFactory("Development", new Dictionary<string, string?>
        {
            ["SLOT"] = "green", ["APP_VERSION"] = "1.2.3",
        });
        var client = factory.CreateClient();

        // Act
        var profile = await client.GetFromJsonAsync<ProfileApi.ProfileResponse>("/profile", Ct);

        // Assert
        Assert.Equal(new ProfileApi.ProfileResponse("green", "dev", "1.2.3", Environment.MachineName), profile);
    }

    [Fact]
    public async Task GetProfile_Production_ReportsProductionProfile()
    {
        // Arrange
        await using var factory = new ApiFactory("Production", ApiFactory.Production(("SLOT", "blue")));
        var client = factory.CreateClient();

        // Act
        var profile = await client.GetFromJsonAsync<ProfileApi.ProfileResponse>("/profile", Ct);

        // Assert
        Assert.Equal("production", profile!.Profile);
        Assert.Equal("blue", profile.Slot);
    }

    [Theory]
    [InlineData("/profile", HttpStatusCode.OK)]
    [InlineData("/no-such-path", HttpStatusCode.NotFound)]
    [InlineData("/notes/999999", HttpStatusCode.NotFound)]
    [InlineData("/health/live", HttpStatusCode.OK)]
    [InlineData("/slow?ms=999999", HttpStatusCode.BadRequest)]
    public async Task AnyRequest_AnyStatus_CarriesSlotAndVersionHeaders(string path, HttpStatusCode status)
    {
        // Arrange
        await using var factory = new ApiFactory("Development", new Dictionary<string, string?>
        {
            ["SLOT"] = "green", ["APP_VERSION"] = "4.5.6",
        });
        var client = factory.CreateClient();

        // Act
        using var response = await client.GetAsync(path, Ct);

        // Assert
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("green", Assert.Single(response.Headers.GetValues(SlotHeaders.SlotHeader)));
        Assert.Equal("4.5.6", Assert.Single(response.Headers.GetValues(SlotHeaders.VersionHeader)));
    }

    [Fact]
    public async Task UnhandledException_Production_ProblemDetailsWithoutDetailsAndSlotHeader()
    {
        // Arrange: a production instance whose database host does not resolve makes /notes throw.
        await using var factory = new ApiFactory("Production", ApiFactory.Production(("SLOT", "green")));
        var client = factory.CreateClient();

        // Act
        using var response = await client.GetAsync("/notes", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        // Assert
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("green", Assert.Single(response.Headers.GetValues(SlotHeaders.SlotHeader)));
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain("db.invalid", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnhandledException_Development_ShowsExceptionDetails()
    {
        // Arrange: Django's DEBUG=True: the developer sees what went wrong.
        await using var factory = new ApiFactory("Development", new Dictionary<string, string?>
        {
            ["DB_ENGINE"] = "postgresql", ["DB_HOST"] = "db.invalid", ["DB_USER"] = "notes", ["DB_NAME"] = "notes",
            ["Database:MigrateOnStart"] = "false",
        });
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");

        // Act
        using var response = await client.GetAsync("/notes", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        // Assert
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Exception", body, StringComparison.Ordinal);
        Assert.Equal("blue", Assert.Single(response.Headers.GetValues(SlotHeaders.SlotHeader)));
    }

    [Theory]
    [InlineData("Development", "evil.example", HttpStatusCode.BadRequest)]
    [InlineData("Production", "evil.example", HttpStatusCode.BadRequest)]
    [InlineData("Production", "127.0.0.1", HttpStatusCode.OK)]
    [InlineData("Production", "api.example.test", HttpStatusCode.OK)]
    public async Task GetProfile_HostHeader_FilteredByAllowedHosts(string environment, string host, HttpStatusCode status)
    {
        // Arrange
        var settings = environment == "Production"
            ? ApiFactory.Production(("ALLOWED_HOSTS", "api.example.test"))
            : new Dictionary<string, string?>();
        await using var factory = new ApiFactory(environment, settings);
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/profile");
        request.Headers.Host = host;

        // Act
        using var response = await client.SendAsync(request, Ct);

        // Assert
        Assert.Equal(status, response.StatusCode);
    }
}
