// The notes API and its migrations on real PostgreSQL (Testcontainers). Production profile: nothing migrates on
// start, so readiness reports the pending migration until MigrateAsync (or the migrate verb) has run.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Api.Data;
using Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Api.Tests;

public sealed class NotesPostgresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MigrateAsync_EmptyDatabase_AppliesEveryMigrationAndReadinessTurnsOk()
    {
        // Arrange
        var database = await postgres.CreateDatabaseAsync();
        await using var factory = new ApiFactory("Production", Settings(database));
        var client = factory.CreateClient();
        var before = await GetReadyAsync(client);

        // Act
        await MigrateAsync(factory);
        var after = await GetReadyAsync(client);

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.Status);
        Assert.Equal("Healthy", before.Body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", before.Body.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, after.Status);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
        Assert.IsType<PostgresNotesContext>(db);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Ct));
    }

    [Fact]
    public async Task Crud_Postgres_WorksEndToEnd()
    {
        // Arrange
        var database = await postgres.CreateDatabaseAsync();
        await using var factory = new ApiFactory("Production", Settings(database));
        await MigrateAsync(factory);

        // Act + Assert
        await NotesScenarios.CrudAsync(factory.CreateClient());
    }

    [Fact]
    public async Task MigrateVerb_Postgres_ExitsZeroAndTwiceIsHarmless()
    {
        // Arrange
        var database = await postgres.CreateDatabaseAsync();
        var environment = new Dictionary<string, string?>(Settings(database)) { ["ASPNETCORE_ENVIRONMENT"] = "Production" };

        // Act
        var first = await AppProcess.RunAsync(environment, null, "migrate");
        var second = await AppProcess.RunAsync(environment, null, "migrate");

        // Assert
        Assert.True(first.ExitCode == 0, first.StdOut + first.StdErr);
        Assert.Contains("1 pending migration(s)", first.StdOut, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("0 pending migration(s)", second.StdOut, StringComparison.Ordinal);
        await using var factory = new ApiFactory("Production", Settings(database));
        Assert.Equal(HttpStatusCode.OK, (await GetReadyAsync(factory.CreateClient())).Status);
    }

    [Fact]
    public async Task MigrateVerb_WrongPassword_ExitsOneWithMessage()
    {
        // Arrange
        var database = await postgres.CreateDatabaseAsync();
        var environment = new Dictionary<string, string?>(Settings(database))
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DB_PASSWORD"] = "wrong",
        };

        // Act
        var (exitCode, _, stderr) = await AppProcess.RunAsync(environment, null, "migrate");

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains("migrate: failed:", stderr, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", stderr, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(PostgresDatabase database)
    {
        var settings = ApiFactory.Production();
        foreach (var (key, value) in database.Settings())
        {
            settings[key] = value;
        }

        return settings;
    }

    // The app's own migration path (behind the execution strategy), as the migrate verb runs it.
    private static async Task MigrateAsync(ApiFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NotesContext>()
            .MigrateAsync(NullLogger.Instance, Ct);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready", Ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Ct));
    }
}
