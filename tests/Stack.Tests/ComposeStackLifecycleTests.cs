// The whole life of a stack: `docker compose up -d --wait` brings every service to its end state, nginx keeps
// serving and reloading with the idle slot stopped, and `down -v` (ComposeStack.DisposeAsync) leaves no container,
// volume, network or image tag behind.
using System.Net;
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

public sealed class ComposeStackLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 600_000)]
    public async Task UpWaitThenDown_IdleSlotStopped_ServesThenRemovesEverything()
    {
        // Arrange
        await DockerRequirement.EnsureAvailableAsync();
        var stack = await ComposeStack.StartAsync(new ComposeStackOptions { NamePrefix = "zdd-stack-life" }, Ct);
        string project = stack.ProjectName, repository = stack.ApiImageRepository;
        HttpStatusCode status;
        ProcessResult ps, test, reload;
        try
        {
            // Act: the state after --wait, then the idle slot stopped as a swap leaves it, then a reload.
            ps = await stack.ComposeAsync("ps", "--all", "--format", "{{.Service}} {{.State}} {{.Health}} {{.ExitCode}}");
            (await stack.ComposeAsync("stop", "api-green")).EnsureSuccess("compose stop api-green");
            test = await stack.ExecAsync("nginx", "nginx", "-t");
            reload = await stack.ExecAsync("nginx", "nginx", "-s", "reload");
            using var client = stack.CreateHttpClient();
            status = (await client.GetAsync("/profile", Ct)).StatusCode;
        }
        finally
        {
            await stack.DisposeAsync();
        }

        var containers = await DockerLinesAsync("ps", "--all", "--quiet", "--filter", $"label=com.docker.compose.project={project}");
        var volumes = await DockerLinesAsync("volume", "ls", "--quiet", "--filter", $"label=com.docker.compose.project={project}");
        var networks = await DockerLinesAsync("network", "ls", "--quiet", "--filter", $"label=com.docker.compose.project={project}");
        var images = await DockerLinesAsync("image", "ls", "--quiet", "--filter", $"reference={repository}");

        // Assert
        var states = ps.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var service in new[] { "db", "api-blue", "api-green", "nginx" })
        {
            Assert.Contains(states, s => s.StartsWith($"{service} running healthy", StringComparison.Ordinal));
        }

        foreach (var oneShot in new[] { "migrate", "tls-init", "nginx-init" })
        {
            Assert.Contains(states, s => s.StartsWith($"{oneShot} exited", StringComparison.Ordinal) && s.EndsWith(" 0", StringComparison.Ordinal));
        }

        Assert.True(test.ExitCode == 0, test.StdErr);
        Assert.True(reload.ExitCode == 0, reload.StdErr);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(containers);
        Assert.Empty(volumes);
        Assert.Empty(networks);
        Assert.Empty(images);
    }

    private static async Task<string[]> DockerLinesAsync(params string[] args) =>
        (await ProcessRunner.RunAsync("docker", args)).EnsureSuccess($"docker {string.Join(' ', args)}")
            .StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
