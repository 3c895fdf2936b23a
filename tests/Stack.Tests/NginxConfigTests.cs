// The repository's nginx/ files inside the nginx image (NGINX_IMAGE; the Debian stand-in in CI): `nginx -t` passes,
// the entrypoint writes the first active-slot marker, the marker is read per request (no reload), the preview server
// routes by slot, and nginx runs with no API slot present.
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
}
