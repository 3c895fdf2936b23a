// The API image built from the shipped api/Dockerfile, run the way compose runs it: on a network of its own with
// PostgreSQL reached by the alias `db`, migrated by the `migrate` verb, probed by its own HEALTHCHECK. Testcontainers
// manages every container and the network; the fixture removes them.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Docker.Testing;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using Xunit;

namespace Stack.Tests;

public sealed class ApiImageTests(ApiImageTests.ApiContainerFixture fixture)
    : IClassFixture<ApiImageTests.ApiContainerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 600_000)]
    public async Task HealthReady_BeforeAndAfterMigrate_503Then200()
    {
        // Arrange
        var api = await fixture.StartedAsync();

        // Act
        using var client = api.CreateClient();
        var after = await client.GetAsync("/health/ready", Ct);

        // Assert: not ready while a migration was pending, ready once the migrate verb ran.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.ReadyStatusBeforeMigrate);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact(Timeout = 600_000)]
    public async Task Profile_SlotGreenInProduction_ReportsSlotVersionAndHeaders()
    {
        // Arrange
        var api = await fixture.StartedAsync();
        using var client = api.CreateClient();

        // Act
        var response = await client.GetAsync("/profile", Ct);
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        // Assert: SLOT from the environment, the version from the APP_VERSION build argument.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("green", profile.GetProperty("slot").GetString());
        Assert.Equal("production", profile.GetProperty("profile").GetString());
        Assert.Equal(ApiContainerFixture.Version, profile.GetProperty("version").GetString());
        Assert.Equal("green", Assert.Single(response.Headers.GetValues("X-Slot")));
        Assert.Equal(ApiContainerFixture.Version, Assert.Single(response.Headers.GetValues("X-App-Version")));
    }

    [Fact(Timeout = 600_000)]
    public async Task Notes_PostThenGet_RoundTripsAndRowIsInPostgres()
    {
        // Arrange
        var api = await fixture.StartedAsync();
        using var client = api.CreateClient();
        var text = $"stack-test-{Guid.NewGuid():N}";

        // Act
        var created = await client.PostAsJsonAsync("/notes", new { text }, Ct);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = body.GetProperty("id").GetInt64();
        var fetched = await client.GetAsync(created.Headers.Location, Ct);
        var fetchedBody = await fetched.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var rows = await fixture.PsqlAsync($"SELECT count(*) FROM notes WHERE \"Id\" = {id} AND \"Text\" = '{text}'");

        // Assert
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(text, fetchedBody.GetProperty("text").GetString());
        Assert.Equal("1", rows.Trim());
    }

    [Fact(Timeout = 600_000)]
    public async Task ImageConfig_Built_NonRootPort8080ExecEntrypointProbeHealthcheck()
    {
        // Arrange
        var api = await fixture.StartedAsync();

        // Act
        var inspect = (await ProcessRunner.RunAsync(
            "docker", ["image", "inspect", "--format", "{{json .Config}}", api.Image], ct: Ct))
            .EnsureSuccess("docker image inspect");
        var config = JsonDocument.Parse(inspect.StdOut).RootElement;

        // Assert
        var user = config.GetProperty("User").GetString();
        Assert.False(string.IsNullOrEmpty(user) || user is "0" or "root", $"image runs as '{user}'");
        Assert.True(config.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        Assert.Equal(["dotnet", "Api.dll"], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            ["CMD", "dotnet", "Api.dll", "probe", "/health/ready"],
            config.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains($"APP_VERSION={ApiContainerFixture.Version}",
            config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact(Timeout = 600_000)]
    public async Task ImageLayers_AnotherAppVersion_SharesEveryLayer()
    {
        // Arrange: APP_VERSION is only metadata (an ENV), so a second version of the same code (what the deploy tests
        // and the proof build) shares every layer with the first: no copy of the app per version.
        var api = await fixture.StartedAsync();
        var repository = api.Image[..api.Image.LastIndexOf(':')];

        // Act
        var other = await ApiImage.BuildAsync(repository, "3.1.5-stack", Ct);
        var layers = await Task.WhenAll(new[] { api.Image, other }.Select(async image =>
            (await ProcessRunner.RunAsync(
                "docker", ["image", "inspect", "--format", "{{json .RootFS.Layers}}", image], ct: Ct))
                .EnsureSuccess("docker image inspect").StdOut.Trim()));

        // Assert
        Assert.Equal(layers[0], layers[1]);
        Assert.NotEqual(api.Image, other);
    }

    [Fact(Timeout = 600_000)]
    public async Task ImageFiles_Built_HaveNoDevelopmentSettingsOrEnvFile()
    {
        // Arrange: the repository has api/appsettings.Development.json; it must not reach the image.
        var api = await fixture.StartedAsync();
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "api", "appsettings.Development.json")));

        // Act
        var listing = await api.Container.ExecAsync(["sh", "-c", "ls -A /app"], Ct);

        // Assert
        Assert.Equal(0, listing.ExitCode);
        var files = listing.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("Api.dll", files);
        Assert.DoesNotContain("appsettings.Development.json", files);
        Assert.DoesNotContain(".env", files);
    }

    [Fact(Timeout = 600_000)]
    public async Task DockerHealth_ImageHealthcheck_BecomesHealthy()
    {
        // Arrange
        var api = await fixture.StartedAsync();
        var deadline = Stopwatch.StartNew();
        var status = "";

        // Act: the image's own HEALTHCHECK (dotnet Api.dll probe /health/ready) drives Docker's health status.
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            status = (await ProcessRunner.RunAsync(
                "docker", ["inspect", "--format", "{{.State.Health.Status}}", api.Container.Id], ct: Ct)).StdOut.Trim();
            if (status == "healthy")
            {
                break;
            }

            await Task.Delay(500, Ct);
        }

        // Assert
        Assert.Equal("healthy", status);
    }

    [Fact(Timeout = 600_000)]
    public async Task DockerStop_Sigterm_ReachesDotnetWhichExitsZeroWellBeforeTheGracePeriod()
    {
        // Arrange: its own container, since this one is stopped (exec-form entrypoint, docs/failure-modes.md #13).
        var api = await fixture.StartedAsync();
        await using var extra = await fixture.StartApiContainerAsync("blue");

        // Act: with a shell as PID 1 the signal would be lost and Docker would kill at the grace period (exit 137).
        var watch = Stopwatch.StartNew();
        (await ProcessRunner.RunAsync("docker", ["stop", "--time", "30", extra.Id], ct: Ct)).EnsureSuccess("docker stop");
        watch.Stop();
        var exitCode = (await ProcessRunner.RunAsync(
            "docker", ["inspect", "--format", "{{.State.ExitCode}}", extra.Id], ct: Ct)).StdOut.Trim();

        // Assert
        Assert.Equal("0", exitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"docker stop took {watch.Elapsed.TotalSeconds:0.0}s");
        Assert.NotNull(api);
    }

    /// <summary>The running API container, its image and what the fixture saw before migrating.</summary>
    public sealed record StartedApi(string Image, IContainer Container, HttpStatusCode ReadyStatusBeforeMigrate)
    {
        public HttpClient CreateClient() => new()
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Container.GetMappedPublicPort(8080)}/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>
    /// One network, one PostgreSQL and one API container for the class, started by the first test that asks (after
    /// DockerRequirement, so that a machine without Docker skips instead of failing in the fixture).
    /// </summary>
    public sealed class ApiContainerFixture : IAsyncLifetime
    {
        public const string Version = "3.1.4-stack";
        private const string DbName = "app";
        private const string DbUser = "app";

        private readonly string suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        private readonly string dbPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        private readonly string secretKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        private readonly Lock gate = new();
        private Task<StartedApi>? start;
        private INetwork? network;
        private IContainer? postgres;
        private IContainer? api;

        public ValueTask InitializeAsync() => ValueTask.CompletedTask;

        /// <summary>Starts everything once; a failed start is not retried, every test reports its error.</summary>
        public async Task<StartedApi> StartedAsync()
        {
            await DockerRequirement.EnsureAvailableAsync();
            lock (gate)
            {
                start ??= StartAsync();
            }

            return await start;
        }

        /// <summary>Another API container on the same network and database (the caller disposes it).</summary>
        public async Task<IContainer> StartApiContainerAsync(string slot)
        {
            var api = (await StartedAsync()).Image;
            var container = new ContainerBuilder(api)
                .WithName($"zdd-stack-{suffix}-api-{slot}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}")
                .WithNetwork(network)
                .WithEnvironment(ApiEnvironment(slot))
                .WithPortBinding(8080, assignRandomHostPort: true)
                .WithWaitStrategy(Wait.ForUnixContainer()
                    .UntilHttpRequestIsSucceeded(request => request.ForPort(8080).ForPath("/health/live")))
                .Build();
            await container.StartAsync();
            return container;
        }

        public async Task<string> PsqlAsync(string sql)
        {
            var result = await postgres!.ExecAsync(
                ["psql", "-U", DbUser, "-d", DbName, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]);
            return result.ExitCode == 0
                ? result.Stdout
                : throw new InvalidOperationException($"psql failed ({result.ExitCode}): {result.Stderr}");
        }

        public async ValueTask DisposeAsync()
        {
            // Each resource on its own: one failed removal must not leave the others behind.
            foreach (var container in new[] { api, postgres })
            {
                if (container is not null)
                {
                    await container.DisposeAsync();
                }
            }

            if (network is not null)
            {
                await network.DisposeAsync();
            }
        }

        private async Task<StartedApi> StartAsync()
        {
            network = new NetworkBuilder().WithName($"zdd-stack-{suffix}").Build();
            await network.CreateAsync();


            // A plain container rather than PostgreSqlBuilder: configured as compose's `db` service is (POSTGRES_*,
            // the alias `db`, the same pg_isready check), which is what the image under test meets in production.
            postgres = new ContainerBuilder(Images.Postgres)
                .WithName($"zdd-stack-{suffix}-db")
                .WithNetwork(network)
                .WithNetworkAliases("db")
                .WithEnvironment("POSTGRES_DB", DbName)
                .WithEnvironment("POSTGRES_USER", DbUser)
                .WithEnvironment("POSTGRES_PASSWORD", dbPassword)
                // Same readiness as the compose healthcheck: TCP, so the image's temporary init server does not count.
                .WithWaitStrategy(Wait.ForUnixContainer()
                    .UntilCommandIsCompleted("pg_isready", "-h", "127.0.0.1", "-U", DbUser, "-d", DbName))
                .Build();
            await postgres.StartAsync();

            var image = await ApiImage.BuildAsync($"zdd-stack-{suffix}/api", Version);
            api = new ContainerBuilder(image)
                .WithName($"zdd-stack-{suffix}-api-green")
                .WithNetwork(network)
                .WithNetworkAliases("api-green")
                .WithEnvironment(ApiEnvironment("green"))
                .WithPortBinding(8080, assignRandomHostPort: true)
                // Live, not ready: readiness waits for the migration that runs below, as compose's `migrate` does.
                .WithWaitStrategy(Wait.ForUnixContainer()
                    .UntilHttpRequestIsSucceeded(request => request.ForPort(8080).ForPath("/health/live")))
                .Build();
            await api.StartAsync();

            var startedApi = new StartedApi(image, api, HttpStatusCode.OK);
            using var client = startedApi.CreateClient();
            var before = (await client.GetAsync("/health/ready")).StatusCode;

            var migrate = await api.ExecAsync(["dotnet", "Api.dll", "migrate"]);
            if (migrate.ExitCode != 0)
            {
                throw new InvalidOperationException($"migrate exited {migrate.ExitCode}: {migrate.Stdout}{migrate.Stderr}");
            }

            await WaitForReadyAsync(client);
            return startedApi with { ReadyStatusBeforeMigrate = before };
        }

        private static async Task WaitForReadyAsync(HttpClient client)
        {
            var deadline = Stopwatch.StartNew();
            HttpStatusCode status = default;
            while (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                status = (await client.GetAsync("/health/ready")).StatusCode;
                if (status == HttpStatusCode.OK)
                {
                    return;
                }

                await Task.Delay(250);
            }

            throw new TimeoutException($"/health/ready still {(int)status} after 60 s");
        }

        private Dictionary<string, string> ApiEnvironment(string slot) => new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SLOT"] = slot,
            ["DB_ENGINE"] = "postgresql",
            ["DB_HOST"] = "db",
            ["DB_PORT"] = 5432.ToString(CultureInfo.InvariantCulture),
            ["DB_NAME"] = DbName,
            ["DB_USER"] = DbUser,
            ["DB_PASSWORD"] = dbPassword,
            ["SECRET_KEY"] = secretKey,
            ["ALLOWED_HOSTS"] = "localhost;127.0.0.1",
        };
    }
}
