// One real PostgreSQL container for a test class (image from POSTGRES_IMAGE, default postgres:17); each test gets
// its own database in it, so tests never see each other's rows. Started by the first test that asks, after
// DockerRequirement (so that a machine without Docker skips each test instead of failing the fixture), and removed
// at the end.
using Docker.Testing;
using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Api.Tests.Infrastructure;

public sealed class PostgresFixture : IAsyncDisposable
{
    private readonly SharedDockerResource<PostgreSqlContainer> _container = new(StartAsync, c => c.DisposeAsync());

    /// <summary>Skips (or fails, in CI) when Docker is unavailable; starts the container on first use.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync()
    {
        var container = await _container.GetAsync();
        var name = $"notes_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(container.GetConnectionString()))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(container.GetConnectionString());
        return new PostgresDatabase(builder.Host!, builder.Port, name, builder.Username!, builder.Password!);
    }

    public ValueTask DisposeAsync() => _container.DisposeAsync();

    private static async Task<PostgreSqlContainer> StartAsync()
    {
        var container = new PostgreSqlBuilder(Images.Postgres)
            .WithName($"zdd-api-tests-pg-{Guid.NewGuid():N}")
            .WithLabel("zdd.owner", "api-tests")
            .Build();
        try
        {
            // Not the first test's token: the container is shared, and its start must not end with that test.
            await container.StartAsync();
            return container;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }
}

public sealed record PostgresDatabase(string Host, int Port, string Name, string User, string Password)
{
    /// <summary>The DB_* settings (docs/api.md) that point the API at this database.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["DB_ENGINE"] = "postgresql",
        ["DB_HOST"] = Host,
        ["DB_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DB_NAME"] = Name,
        ["DB_USER"] = User,
        ["DB_PASSWORD"] = Password,
    };
}
