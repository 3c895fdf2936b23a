// The containers of a running compose stack, as `docker inspect` and the kernel see them: every service of
// docker-compose.yaml runs with no-new-privileges, no capabilities (only nginx-init keeps CHOWN), a read-only root,
// a memory and a process limit, and as a user other than root (only nginx-init, which hands nginx its volumes,
// starts as root); the processes that run have no effective capability. And /admin is out of reach from everywhere
// but the inside of a slot: refused by nginx's public and preview servers and by the slot's public port.
using System.Net;
using System.Text.Json;
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

[Collection(HardenedStackCollection.Name)]
public sealed class HardeningTests(HardenedStack fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The one service allowed to start as root, and the one capability it keeps.</summary>
    private const string RootOneShot = "nginx-init";

    [Fact(Timeout = 600_000)]
    public async Task Containers_EveryService_HardenedAsDocumented()
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        var services = (await stack.ComposeAsync("config", "--services")).EnsureSuccess("compose config --services")
            .StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // Act
        var containers = await InspectAllAsync(stack);

        // Assert: one container per service, none forgotten by a new service.
        Assert.Equal(services.Order(), containers.Keys.Order());
        var problems = new List<string>();
        foreach (var (service, inspect) in containers)
        {
            var config = inspect.GetProperty("Config");
            var host = inspect.GetProperty("HostConfig");
            var user = config.GetProperty("User").GetString() ?? "";
            var capAdd = Strings(host, "CapAdd");

            if (!Strings(host, "CapDrop").Contains("ALL"))
            {
                problems.Add($"{service}: cap_drop is not ALL");
            }

            if (service == RootOneShot ? !capAdd.SequenceEqual(["CHOWN"]) : capAdd.Length > 0)
            {
                problems.Add($"{service}: cap_add {string.Join(',', capAdd)}");
            }

            if (service != RootOneShot && IsRoot(user))
            {
                problems.Add($"{service}: runs as '{user}'");
            }

            if (!host.GetProperty("ReadonlyRootfs").GetBoolean())
            {
                problems.Add($"{service}: root file system is writable");
            }

            if (!Strings(host, "SecurityOpt").Contains("no-new-privileges:true"))
            {
                problems.Add($"{service}: no no-new-privileges");
            }

            if (host.GetProperty("Memory").GetInt64() <= 0)
            {
                problems.Add($"{service}: no memory limit");
            }

            if (host.GetProperty("PidsLimit").ValueKind != JsonValueKind.Number || host.GetProperty("PidsLimit").GetInt64() <= 0)
            {
                problems.Add($"{service}: no pids limit");
            }

            if (host.GetProperty("Privileged").GetBoolean())
            {
                problems.Add($"{service}: privileged");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Equal("101:101", containers["nginx"].GetProperty("Config").GetProperty("User").GetString());
        Assert.Equal("postgres", containers["db"].GetProperty("Config").GetProperty("User").GetString());
    }

    [Theory(Timeout = 600_000)]
    [InlineData("db")]
    [InlineData("api-blue")]
    [InlineData("api-green")]
    [InlineData("nginx")]
    public async Task RunningService_EveryProcess_NotRootAndNoEffectiveCapability(string service)
    {
        // Arrange
        var stack = await fixture.StartedAsync();

        // Act: every process of the container, as the kernel reports it (nginx's workers, PostgreSQL's backends).
        var status = (await stack.ExecAsync(service, "sh", "-c",
            "for s in /proc/[0-9]*/status; do grep -E '^(Name|Uid|CapEff):' \"$s\" | tr '\\n' ' '; echo; done"))
            .EnsureSuccess($"reading /proc in {service}").StdOut;
        var processes = status.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // Assert: Uid's four fields (real, effective, saved, file system) are all non-zero; CapEff is empty.
        Assert.NotEmpty(processes);
        foreach (var process in processes)
        {
            var fields = process.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            var uids = fields.SkipWhile(f => f != "Uid:").Skip(1).Take(4).ToArray();
            Assert.True(uids.Length == 4 && uids.All(u => u != "0"), $"{service}: {process}");
            Assert.Equal("0000000000000000", fields.SkipWhile(f => f != "CapEff:").Skip(1).First());
        }
    }

    [Fact(Timeout = 600_000)]
    public async Task Admin_FromOutsideTheSlot_RefusedEverywhereButInside()
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        await HardenedStack.RefillAsync(Ct);
        using var client = stack.CreateHttpClient();

        // Act: through nginx's public server, through its preview server, on the slot's public port from the network,
        // and from inside the slot (what the deploy scripts do).
        using var publicAnswer = await client.GetAsync("/admin/status", Ct);
        var preview = await stack.ExecAsync("api-green", "dotnet", "Api.dll", "probe", "/blue/admin/status",
            "--host", "nginx", "--port", "8081");
        var network = await stack.ExecAsync("api-green", "dotnet", "Api.dll", "probe", "/admin/status",
            "--host", "api-blue", "--port", "8080");
        var inside = await stack.ExecAsync("api-blue", "dotnet", "Api.dll", "probe", "/admin/status");

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, publicAnswer.StatusCode);
        Assert.False(publicAnswer.Headers.Contains("X-Slot"), "the public request reached a slot");
        Assert.Equal(1, preview.ExitCode);
        Assert.Contains("answered 404", preview.StdErr, StringComparison.Ordinal);
        Assert.Equal(1, network.ExitCode);
        Assert.Contains("answered 404", network.StdErr, StringComparison.Ordinal);
        Assert.True(inside.ExitCode == 0, inside.StdErr);
        Assert.Contains("\"slot\":\"blue\"", inside.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 600_000)]
    public async Task PublicAnswer_ProductionDefaults_NoHostNoServerVersionHstsNoStore()
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        await HardenedStack.RefillAsync(Ct);
        using var client = stack.CreateHttpClient();

        // Act
        using var response = await client.GetAsync("/profile", Ct);
        var profile = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(profile.TryGetProperty("host", out _), profile.ToString());
        Assert.Equal("nginx", Assert.Single(response.Headers.GetValues("Server")));
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal($"max-age={HardenedStack.HstsMaxAge}",
            Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        Assert.Equal("blue", Assert.Single(response.Headers.GetValues("X-Slot")));
    }

    [Fact(Timeout = 600_000)]
    public async Task NginxState_AsNginxUser_DeployScriptsCanRenameTheMarker()
    {
        // Arrange: what swap.ps1 does through `docker compose exec nginx`, as the container's (non-root) user.
        var stack = await fixture.StartedAsync();

        // Act
        var test = await stack.ExecAsync("nginx", "nginx", "-t");
        var there = await stack.ExecAsync("nginx", "mv", "/etc/nginx/state/active-slot.blue",
            "/etc/nginx/state/active-slot.green");
        var back = await stack.ExecAsync("nginx", "mv", "/etc/nginx/state/active-slot.green",
            "/etc/nginx/state/active-slot.blue");

        // Assert
        Assert.True(test.ExitCode == 0, test.StdErr);
        Assert.True(there.ExitCode == 0, there.StdErr);
        Assert.True(back.ExitCode == 0, back.StdErr);
    }

    private static bool IsRoot(string user) =>
        user.Length == 0 || user.Split(':')[0] is "0" or "root";

    private static string[] Strings(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Select(e => e.GetString() ?? "")]
            : [];

    private static async Task<Dictionary<string, JsonElement>> InspectAllAsync(ComposeStack stack)
    {
        var ids = (await stack.ComposeAsync("ps", "--all", "--quiet")).EnsureSuccess("compose ps").StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var inspect = (await ProcessRunner.RunAsync("docker", ["inspect", .. ids])).EnsureSuccess("docker inspect");
        return JsonDocument.Parse(inspect.StdOut).RootElement.EnumerateArray().ToDictionary(
            c => c.GetProperty("Config").GetProperty("Labels").GetProperty("com.docker.compose.service").GetString()!,
            c => c.Clone());
    }
}
