// Behind nginx: forwarded client addresses are believed only from TRUSTED_PROXIES, X-Real-IP counts too, and the
// request log shows the real client. A real process, because only a real socket has a peer address to trust.
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class ProxyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, "X-Forwarded-For", "203.0.113.7", "203.0.113.7", false)]
    [InlineData(null, "X-Real-IP", "203.0.113.8", "203.0.113.8", false)]
    [InlineData("10.0.0.0/8", "X-Forwarded-For", "203.0.113.9", "127.0.0.1", false)]
    // Bound to [::] as in the container: the peer is ::ffff:127.0.0.1 and must still match 127.0.0.0/8.
    [InlineData("127.0.0.0/8", "X-Forwarded-For", "203.0.113.10", "203.0.113.10", true)]
    [InlineData("10.0.0.0/8", "X-Forwarded-For", "203.0.113.11", "127.0.0.1", true)]
    public async Task RequestLog_ForwardedHeader_ShowsClientOnlyFromTrustedProxy(
        string? trustedProxies, string header, string client, string logged, bool bindAnyAddress)
    {
        // Arrange: the peer is 127.0.0.1, trusted by default and not by 10.0.0.0/8.
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DB_NAME"] = Path.Combine(TempDirectory.Create("proxy"), "notes.db"),
        };
        if (trustedProxies is not null)
        {
            environment["TRUSTED_PROXIES"] = trustedProxies;
        }

        if (bindAnyAddress)
        {
            environment["ASPNETCORE_URLS"] = "http://[::]:0";
        }

        await using var app = AppProcess.Start(environment);
        var port = (await app.WaitUntilListeningAsync()).Port;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/profile?proxy-test");
        request.Headers.Add(header, client);
        request.Headers.Add("X-Forwarded-Proto", "https");

        // Act
        using var response = await http.SendAsync(request, Ct);
        await WaitForLogAsync(app, "/profile?proxy-test");

        // Assert
        response.EnsureSuccessStatusCode();
        var line = app.StdOut.Split('\n').Single(l => l.Contains("/profile?proxy-test", StringComparison.Ordinal));
        Assert.Contains($"{logged} \"GET /profile?proxy-test HTTP/1.1\" 200", line, StringComparison.Ordinal);
        Assert.EndsWith(logged == client ? "https" : "http", line.TrimEnd(), StringComparison.Ordinal);
    }

    private static async Task WaitForLogAsync(AppProcess app, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!app.StdOut.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no log line with {text}:\n{app.StdOut}");
            await Task.Delay(20, Ct);
        }
    }
}
