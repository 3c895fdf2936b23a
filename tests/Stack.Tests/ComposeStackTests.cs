// The shipped compose stack (docker-compose.yaml + nginx/, used in place through Docker.Testing.ComposeStack), up with
// --wait: HTTPS through nginx on 127.0.0.1 with the slot header, the HTTP redirect, refused health/admin paths, no
// answer for unknown hosts, and the JSON access log. One stack for the class; ComposeStackLifecycleTests owns another.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

public sealed class ComposeStackTests(ComposeStackTests.StackFixture fixture)
    : IClassFixture<ComposeStackTests.StackFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 600_000)]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Profile_OverHttpsThroughNginx_AnsweredByBlueWithSlotHeader(string httpVersion)
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        using var client = stack.CreateHttpClient(Version.Parse(httpVersion));

        // Act
        var response = await client.GetAsync("/profile", Ct);
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(httpVersion), response.Version);
        Assert.Equal("blue", Assert.Single(response.Headers.GetValues("X-Slot")));
        Assert.Equal("blue", profile.GetProperty("slot").GetString());
        Assert.Equal(StackFixture.ApiVersion, profile.GetProperty("version").GetString());
        Assert.Equal("127.0.0.1", stack.HttpsBase.Host);
    }

    [Fact(Timeout = 600_000)]
    public async Task Notes_PostThroughNginx_CreatedAndReadBack()
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        using var client = stack.CreateHttpClient();
        var text = $"through-nginx-{Guid.NewGuid():N}";

        // Act
        var created = await client.PostAsJsonAsync("/notes", new { text }, Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        var fetched = await client.GetFromJsonAsync<JsonElement>($"/notes/{id}", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(text, fetched.GetProperty("text").GetString());
    }

    [Fact(Timeout = 600_000)]
    public async Task Http_KnownHost_PermanentRedirectToHttps()
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        using var client = stack.CreateHttpClient();

        // Act
        var response = await client.GetAsync(new Uri(stack.HttpBase, "/profile?x=1"), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(new Uri("https://localhost/profile?x=1"), response.Headers.Location);
    }

    [Theory(Timeout = 600_000)]
    [InlineData("GET", "/health/ready")]
    [InlineData("GET", "/health/live")]
    [InlineData("GET", "/admin/status")]
    [InlineData("GET", "/HEALTH/ready")]
    [InlineData("GET", "/%68ealth/ready")]
    [InlineData("GET", "//admin/status")]
    [InlineData("POST", "/admin/status")]
    public async Task HealthAndAdmin_ThroughPublicServer_Return404(string method, string path)
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        using var client = stack.CreateHttpClient();

        // An absolute URI, so that "//admin/..." stays a path and is not read as a host name.
        var uri = new Uri(stack.HttpsBase.GetLeftPart(UriPartial.Authority) + path);

        // Act
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), uri), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Slot"), "the request reached a slot");
    }

    [Theory(Timeout = 600_000)]
    [InlineData("https", "1.1")]
    [InlineData("https", "2.0")]
    [InlineData("http", "1.1")]
    public async Task UnknownHost_AnyPort_ConnectionClosedWithoutResponse(string scheme, string httpVersion)
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        using var client = stack.CreateHttpClient(Version.Parse(httpVersion));
        client.DefaultRequestHeaders.Host = "unknown.example";
        var baseUri = scheme == "https" ? stack.HttpsBase : stack.HttpBase;
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        // Act
        var exception = await Record.ExceptionAsync(() => client.GetAsync(new Uri(baseUri, "/profile"), Ct));
        var log = await stack.NginxAccessLogAsync(since);

        // Assert: no status line at all (444), and nginx says so in its log.
        Assert.IsType<HttpRequestException>(exception);
        Assert.Contains(
            ParseLog(log),
            entry => entry.GetProperty("host").GetString() == "unknown.example" && entry.GetProperty("status").GetInt32() == 444);
    }

    [Fact(Timeout = 600_000)]
    public async Task Ports_Published_OnLoopbackOnlyAndNoneForDb()
    {
        // Arrange
        var stack = await fixture.StartedAsync();

        // Act
        var https = await stack.ComposeAsync("port", "nginx", "443");
        var db = await stack.ComposeAsync("port", "db", "5432");

        // Assert
        Assert.StartsWith("127.0.0.1:", https.StdOut.Trim(), StringComparison.Ordinal);
        Assert.False(db.ExitCode == 0 && db.StdOut.Trim().Length > 0 && !db.StdOut.Trim().EndsWith(":0", StringComparison.Ordinal),
            $"db is published: {db.StdOut}");
    }

    [Fact(Timeout = 600_000)]
    public async Task AccessLog_ProxiedRequest_JsonLineWithUpstreamFields()
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        using var client = stack.CreateHttpClient();
        var marker = Guid.NewGuid().ToString("N");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        // Act
        var response = await client.GetAsync($"/profile?marker={marker}", Ct);
        var entries = ParseLog(await stack.NginxAccessLogAsync(since));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(entries, e => e.GetProperty("request").GetString()!.Contains(marker, StringComparison.Ordinal));
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
        Assert.Equal("200", entry.GetProperty("upstream_status").GetString());
        Assert.EndsWith(":8080", entry.GetProperty("upstream_addr").GetString(), StringComparison.Ordinal);
        Assert.True(entry.GetProperty("request_time").GetDouble() >= 0);
        Assert.Matches(@"^\d+\.\d{3}$", entry.GetProperty("upstream_response_time").GetString());
        Assert.True(entry.GetProperty("msec").GetDouble() > 1.6e9);
        Assert.Equal("HTTP/1.1", entry.GetProperty("server_protocol").GetString());
    }

    private static List<JsonElement> ParseLog(string log) => log
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => JsonDocument.Parse(line).RootElement.Clone())
        .ToList();

    /// <summary>One compose stack for the class, started by the first test (after DockerRequirement).</summary>
    public sealed class StackFixture : IAsyncLifetime
    {
        public const string ApiVersion = "1.0.0";

        private readonly SharedDockerResource<ComposeStack> stack = new(
            () => ComposeStack.StartAsync(new ComposeStackOptions { NamePrefix = "zdd-stack", ApiVersion = ApiVersion }),
            started => started.DisposeAsync());

        public ValueTask InitializeAsync() => ValueTask.CompletedTask;

        public Task<ComposeStack> StartedAsync() => stack.GetAsync();

        public ValueTask DisposeAsync() => stack.DisposeAsync();
    }
}
