// Kestrel's limits against nginx's: the same body size and header timeout as nginx/http/basics.conf (read from the
// file, so that changing one without the other fails here), and a slot reached without nginx refuses an oversize body
// with 413 and a ProblemDetails body, whether the body declares its length or arrives chunked.
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Api.Hosting;
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed partial class ServerLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void NginxBasics_BodySizeAndHeaderTimeout_SameAsKestrels()
    {
        // Arrange
        var basics = File.ReadAllText(Path.Combine(RepoRoot(), "nginx", "http", "basics.conf"));

        // Act
        var bodyKb = int.Parse(BodySize().Match(basics).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var headerSeconds = int.Parse(HeaderTimeout().Match(basics).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // Assert
        Assert.Equal(ServerLimits.MaxRequestBodyBytes, bodyKb * 1024L);
        Assert.Equal(ServerLimits.RequestHeadersTimeout, TimeSpan.FromSeconds(headerSeconds));
    }

    [Fact]
    public async Task PostNote_DeclaredBodyOverLimit_PayloadTooLargeProblemAndNothingStored()
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();
        using var content = new StringContent(OversizeNote(), Encoding.UTF8, "application/json");

        // Act
        using var response = await client.PostAsync("/notes", content, Ct);
        var notes = await client.GetStringAsync("/notes", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("[]", notes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RealProcess_BodyOverLimit_PayloadTooLargeProblem(bool chunked)
    {
        // Arrange
        await using var app = AppProcess.Start(new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SECRET_KEY"] = "tests-0123456789abcdef0123456789abcdef",
            ["DB_ENGINE"] = "sqlite",
            ["DB_NAME"] = Path.Combine(TempDirectory.Create("limits"), "notes.db"),
        });
        using var client = new HttpClient { BaseAddress = await app.WaitUntilListeningAsync() };
        using var content = new StringContent(OversizeNote(), Encoding.UTF8, "application/json");
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/notes") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        // Act
        using var response = await client.SendAsync(request, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    // A note whose text alone is over the limit: the body must be read to the end before anything can refuse it.
    private static string OversizeNote() =>
        $$"""{"text":"{{new string('x', (int)ServerLimits.MaxRequestBodyBytes)}}"}""";

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Service.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Service.sln not found above the tests");
    }

    [GeneratedRegex(@"^\s*client_max_body_size\s+(\d+)k;", RegexOptions.Multiline)]
    private static partial Regex BodySize();

    [GeneratedRegex(@"^\s*client_header_timeout\s+(\d+)s;", RegexOptions.Multiline)]
    private static partial Regex HeaderTimeout();
}
