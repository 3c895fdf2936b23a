// The repository's nginx/ files inside the nginx image (NGINX_IMAGE; the Debian stand-in in CI), hardened as compose
// runs it (user 101, read-only root): `nginx -t` passes, the entrypoint writes the first active-slot marker, the limits
// and HSTS and refuses bad values of them, the marker is read per request (no reload), the preview server routes by
// slot and refuses /admin and /health, nginx's own errors are ProblemDetails, and nginx runs with no API slot present.
using System.Net;
using Xunit;

namespace Stack.Tests;

public sealed class NginxConfigTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task NginxT_ShippedConfig_Passes()
    {
        // Arrange
        await using var nginx = await NginxContainer.StartAsync();

        // Act
        var result = await nginx.Container.ExecAsync(["nginx", "-t"], Ct);

        // Assert
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("test is successful", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Entrypoint_FirstStart_WritesBlueMarkerAndServerNames()
    {
        // Arrange
        await using var nginx = await NginxContainer.StartAsync();

        // Act
        var state = await nginx.ShellAsync("ls -1 /etc/nginx/state");
        var names = await nginx.ShellAsync("cat /etc/nginx/generated/server-names.conf");

        // Assert
        Assert.Equal("active-slot.blue\n", state.Stdout);
        Assert.Equal("server_name localhost 127.0.0.1;\n", names.Stdout);
    }

    [Fact(Timeout = 300_000)]
    public async Task Entrypoint_BothMarkers_RefusesToStart()
    {
        // Arrange: a hand-made state nginx would resolve silently (green wins); the entrypoint must not guess.
        await using var nginx = await NginxContainer.StartAsync();
        await nginx.ShellAsync("touch /etc/nginx/state/active-slot.green");

        // Act
        var result = await nginx.ShellAsync("sh /etc/nginx/zdd/docker-entrypoint.sh true");

        // Assert
        Assert.Equal(65, result.ExitCode);
        Assert.Contains("both", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Nginx_MarkerRemovedAndPutBack_EachRequestSeesItWithoutReload()
    {
        // Arrange: no slot runs, so a request that finds a marker gets 502 from the empty upstream.
        await using var nginx = await NginxContainer.StartAsync();
        using var client = nginx.CreateHttpsClient("localhost");

        // Act: the same connection throughout; nothing but the file changes.
        var withMarker = (await client.GetAsync("/profile", Ct)).StatusCode;
        await nginx.ShellAsync("mv /etc/nginx/state/active-slot.blue /tmp/");
        var withoutMarker = (await client.GetAsync("/profile", Ct)).StatusCode;
        await nginx.ShellAsync("mv /tmp/active-slot.blue /etc/nginx/state/");
        var markerBack = (await client.GetAsync("/profile", Ct)).StatusCode;

        // Assert
        Assert.Equal(HttpStatusCode.BadGateway, withMarker);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, withoutMarker);
        Assert.Equal(HttpStatusCode.BadGateway, markerBack);
    }

    [Fact(Timeout = 300_000)]
    public async Task Preview_SlotPathAndOtherPath_ProxiedToThatSlotOr404()
    {
        // Arrange
        await using var nginx = await NginxContainer.StartAsync();
        using var preview = new HttpClient { BaseAddress = nginx.PreviewBase, Timeout = TimeSpan.FromSeconds(15) };
        using var client = nginx.CreateHttpsClient("localhost");

        // Act: a preview request, then a public one, whose access-log line marks how far the log has been written.
        var green = (await preview.GetAsync("/green/profile", Ct)).StatusCode;
        var other = (await preview.GetAsync("/purple/profile", Ct)).StatusCode;
        (await client.GetAsync("/public-marker", Ct)).Dispose();
        var log = "";
        for (var i = 0; i < 50 && !log.Contains("/public-marker", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, Ct);
            log = (await nginx.Container.GetLogsAsync(ct: Ct)).Stdout;
        }

        // Assert: no slot runs, so api_green is empty (502); nothing else is proxied; preview requests stay out of
        // the access log, the proof's record of what clients saw.
        Assert.Equal(HttpStatusCode.BadGateway, green);
        Assert.Equal(HttpStatusCode.NotFound, other);
        Assert.Contains("/public-marker", log, StringComparison.Ordinal);
        Assert.DoesNotContain("/green/profile", log, StringComparison.Ordinal);
        Assert.DoesNotContain("/purple/profile", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Entrypoint_ServerNamesWithDirectiveSyntax_RefusesToStart()
    {
        // Arrange: SERVER_NAMES is pasted into a directive; a `;` would let it add directives of its own.
        await using var nginx = await NginxContainer.StartAsync();

        // Act
        var result = await nginx.ShellAsync("SERVER_NAMES='x; return 200' sh /etc/nginx/zdd/docker-entrypoint.sh true");

        // Assert
        Assert.Equal(64, result.ExitCode);
        Assert.Contains("SERVER_NAMES", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Nginx_NoSlotContainerRunning_StartsAndAnswers502WithoutVersion()
    {
        // Arrange: no api-blue/api-green on the network: with `resolve` nginx still starts (docs/failure-modes.md #4).
        await using var nginx = await NginxContainer.StartAsync();
        using var client = nginx.CreateHttpsClient("localhost");

        // Act
        var response = await client.GetAsync("/profile", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("nginx", Assert.Single(response.Headers.GetValues("Server")));
    }

    [Fact(Timeout = 300_000)]
    public async Task Nginx_UnknownHost_ClosesWithoutResponse()
    {
        // Arrange
        await using var nginx = await NginxContainer.StartAsync();
        using var client = nginx.CreateHttpsClient("unknown.example");

        // Act
        var exception = await Record.ExceptionAsync(() => client.GetAsync("/profile", Ct));

        // Assert: 444 = the connection is closed, no status line at all.
        Assert.IsType<HttpRequestException>(exception);
    }

    [Fact(Timeout = 300_000)]
    public async Task Entrypoint_Defaults_WritesLimitsAndNoHsts()
    {
        // Arrange
        await using var nginx = await NginxContainer.StartAsync();

        // Act
        var limits = await nginx.ShellAsync("cat /etc/nginx/generated/limits-http.conf /etc/nginx/generated/limits-server.conf");
        var hsts = await nginx.ShellAsync("cat /etc/nginx/generated/hsts.conf");

        // Assert: the shipped defaults (.env.sample), and HSTS off while the certificate is a self-signed one.
        Assert.Contains("zone=req_per_address:10m rate=20r/s;", limits.Stdout, StringComparison.Ordinal);
        Assert.Contains("limit_req zone=req_per_address burst=40 nodelay;", limits.Stdout, StringComparison.Ordinal);
        Assert.Contains("limit_conn conn_per_address 20;", limits.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("add_header", hsts.Stdout, StringComparison.Ordinal);
    }

    [Theory(Timeout = 300_000)]
    [InlineData("LIMIT_REQ_RATE", "0")]
    [InlineData("LIMIT_REQ_RATE", "10r/s")]
    [InlineData("LIMIT_REQ_RATE", "20; limit_req off")]
    [InlineData("LIMIT_REQ_RATE", "99999999999")]
    [InlineData("LIMIT_REQ_BURST", "-1")]
    [InlineData("LIMIT_REQ_BURST", "040")]
    [InlineData("LIMIT_CONN", "1e3")]
    [InlineData("LIMIT_CONN", " 20")]
    [InlineData("HSTS_MAX_AGE", "-1")]
    [InlineData("HSTS_MAX_AGE", "1y")]
    [InlineData("HSTS_MAX_AGE", "31536000; includeSubDomains")]
    public async Task Entrypoint_BadLimitOrHstsValue_RefusesToStartNamingIt(string variable, string value)
    {
        // Arrange: each value is pasted into a directive; anything but a plain count must stop the start.
        await using var nginx = await NginxContainer.StartAsync();

        // Act
        var result = await nginx.Container.ExecAsync(
            ["env", $"{variable}={value}", "sh", "/etc/nginx/zdd/docker-entrypoint.sh", "true"], Ct);

        // Assert
        Assert.Equal(64, result.ExitCode);
        Assert.Contains($"{variable}: expected a whole number", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Entrypoint_HstsMaxAgeSet_HeaderOnAnswersAndErrors()
    {
        // Arrange: one setting turns HSTS on (docs/security.md, "A real certificate"); a reload applies it here.
        await using var nginx = await NginxContainer.StartAsync();
        var written = await nginx.ShellAsync("HSTS_MAX_AGE=31536000 sh /etc/nginx/zdd/docker-entrypoint.sh true && nginx -s reload");
        Assert.True(written.ExitCode == 0, written.Stderr);
        await Task.Delay(1000, Ct);
        using var client = nginx.CreateHttpsClient("localhost");

        // Act: no slot runs, so the answer is nginx's own 502.
        using var response = await client.GetAsync("/profile", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Theory(Timeout = 300_000)]
    [InlineData("/profile", 502)]
    [InlineData("/admin/status", 404)]
    [InlineData("/health/ready", 404)]
    public async Task Nginx_OwnErrors_ProblemDetailsWithSecurityHeadersAndNoStore(string path, int status)
    {
        // Arrange: no slot runs, so /profile gets nginx's 502; /admin and /health are refused by the public server.
        await using var nginx = await NginxContainer.StartAsync();
        using var client = nginx.CreateHttpsClient("localhost");

        // Act
        using var response = await client.GetAsync(path, Ct);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        // Assert
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory(Timeout = 300_000)]
    [InlineData("/green/admin/status")]
    [InlineData("/blue/admin/drain")]
    [InlineData("/GREEN/Admin/status")]
    [InlineData("/green//admin/status")]
    [InlineData("/green/%61dmin/status")]
    [InlineData("/blue/health/ready")]
    public async Task Preview_AdminOrHealthPath_RefusedNotProxied(string path)
    {
        // Arrange: no slot runs, so a proxied request would get 502; a refused one gets 404 from nginx itself.
        await using var nginx = await NginxContainer.StartAsync();
        using var preview = new HttpClient { BaseAddress = nginx.PreviewBase, Timeout = TimeSpan.FromSeconds(15) };

        // Act: an absolute URI, so that "//admin" stays a path.
        using var response = await preview.GetAsync(new Uri(nginx.PreviewBase.GetLeftPart(UriPartial.Authority) + path), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
