// The repository's nginx/ files inside the nginx image (NGINX_IMAGE; the Debian stand-in in CI): `nginx -t` passes,
// the entrypoint writes the contract's first active-slot include, and nginx runs with no API slot present.
using System.Net;
using Xunit;

namespace Stack.Tests;

public sealed class NginxConfigTests
{
    private const string ContractActiveSlotInclude =
        "# Active slot, written by deploy-scripts. Do not edit by hand: run deploy-scripts/swap.ps1.\n" +
        "proxy_pass http://api_blue;\n";

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
    public async Task NginxT_ActiveSlotIncludeNamesUnknownUpstream_Fails()
    {
        // Arrange: what a typo in a hand-edited include would do; the deploy scripts' `nginx -t` must catch it.
        await using var nginx = await NginxContainer.StartAsync();

        // Act
        var result = await nginx.ShellAsync(
            "printf 'proxy_pass http://api_purple;\\n' > /etc/nginx/state/active-slot.conf && nginx -t");

        // Assert
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("api_purple", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Entrypoint_FirstStart_WritesContractActiveSlotIncludeAndServerNames()
    {
        // Arrange
        await using var nginx = await NginxContainer.StartAsync();

        // Act
        var include = await nginx.ShellAsync("cat /etc/nginx/state/active-slot.conf");
        var names = await nginx.ShellAsync("cat /etc/nginx/generated/server-names.conf");

        // Assert
        Assert.Equal(ContractActiveSlotInclude, include.Stdout);
        Assert.Equal("server_name localhost 127.0.0.1;\n", names.Stdout);
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
        // Arrange: no api-blue/api-green on the network: with `resolve` nginx still starts (ZERO-DOWNTIME.md #4).
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
