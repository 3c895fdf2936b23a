// GET /slow: off in production unless enabled, bounded by MAX_REQUEST_SECONDS, and really slow.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Api.Slow;
using Api.Tests.Infrastructure;
using Xunit;

namespace Api.Tests;

public sealed class SlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetSlow_ProductionDefault_NotFound()
    {
        // Arrange
        await using var factory = new ApiFactory("Production", ApiFactory.Production());
        var client = factory.CreateClient();

        // Act
        using var response = await client.GetAsync("/slow?ms=10", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GetSlow_ProductionEnabled_SleepsAndAnswersSlot()
    {
        // Arrange
        await using var factory = new ApiFactory("Production", ApiFactory.Production(
            ("ENABLE_SLOW_ENDPOINT", "true"), ("SLOT", "green")));
        var client = factory.CreateClient();
        var clock = Stopwatch.StartNew();

        // Act
        var body = await client.GetFromJsonAsync<SlowApi.SlowResponse>("/slow?ms=300", Ct);

        // Assert
        Assert.Equal(new SlowApi.SlowResponse("green", 300), body);
        Assert.True(clock.ElapsedMilliseconds >= 290, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData("2", "/slow?ms=2001")]
    [InlineData("10", "/slow?ms=-1")]
    public async Task GetSlow_OutsideLimit_BadRequest(string maxRequestSeconds, string path)
    {
        // Arrange
        await using var factory = new ApiFactory("Development", new Dictionary<string, string?>
        {
            ["MAX_REQUEST_SECONDS"] = maxRequestSeconds,
        });
        var client = factory.CreateClient();

        // Act
        using var response = await client.GetAsync(path, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
