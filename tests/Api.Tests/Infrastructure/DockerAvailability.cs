// Whether the PostgreSQL tests can run here. No Docker engine (or, outside CI, no local image to run): skip with a
// message saying so. ZDD_REQUIRE_DOCKER=true (CI): the same situations fail the test instead, so a CI machine that
// lost its engine cannot turn the PostgreSQL tests into silent skips.
using Docker.DotNet;
using DotNet.Testcontainers.Configurations;
using Xunit;

namespace Api.Tests.Infrastructure;

public static class DockerAvailability
{
    public const string RequireVariable = "ZDD_REQUIRE_DOCKER";

    public static bool Required =>
        string.Equals(Environment.GetEnvironmentVariable(RequireVariable), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns normally when <paramref name="image"/> can run; otherwise skips or throws.</summary>
    public static async Task EnsureAsync(string image)
    {
        // No registry is reachable, so Ryuk's image cannot be pulled: tests remove their own containers instead.
        TestcontainersSettings.ResourceReaperEnabled = false;
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE") is null)
        {
            Environment.SetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        }

        var endpoint = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock";
        using var client = new DockerClientBuilder().WithEndpoint(new Uri(endpoint)).Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await client.System.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Unavailable($"No Docker engine answers at {endpoint} ({e.GetType().Name}: {e.Message}).");
            return;
        }

        try
        {
            await client.Images.InspectImageAsync(image, timeout.Token);
        }
        catch (DockerImageNotFoundException)
        {
            Unavailable($"Docker image '{image}' is not present and no registry can be reached; " +
                "source .ci/standin-images.env or set POSTGRES_IMAGE.");
        }
    }

    private static void Unavailable(string reason)
    {
        if (Required)
        {
            throw new InvalidOperationException($"{reason} {RequireVariable}=true, so this is a failure.");
        }

        Assert.Skip($"{reason} Set {RequireVariable}=true to make this a failure.");
    }
}
