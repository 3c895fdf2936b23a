// One real PostgreSQL container for a test class (image from POSTGRES_IMAGE, default postgres:17); each test gets
// its own database in it, so tests never see each other's rows. The container is removed at the end.
using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;

namespace Api.Tests.Infrastructure;

public sealed class PostgresFixture : IAsyncLifetime
{
    public static string Image { get; } = Environment.GetEnvironmentVariable("POSTGRES_IMAGE") is { Length: > 0 } image
        ? image
        : "postgres:17";

    private PostgreSqlContainer? _container;
    private Exception? _startFailure;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Skips (or fails, in CI) when Docker is unavailable; starts the container on first use.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync()
    {
        await DockerAvailability.EnsureAsync(Image);
        if (_startFailure is not null)
        {
            throw new InvalidOperationException("PostgreSQL container failed to start", _startFailure);
        }

        if (_container is null)
        {
            var container = new PostgreSqlBuilder(Image)
                .WithName($"zdd-api-tests-pg-{Guid.NewGuid():N}")
                .WithLabel("zdd.owner", "api-tests")
                // The builder passes server flags (-c fsync=off ...) as the command. The official entrypoint puts
                // "postgres" in front of such flags; naming it here works with images whose entrypoint does not.
                .WithEntrypoint("docker-entrypoint.sh", "postgres")
                .Build();
            try
            {
                await container.StartAsync(TestContext.Current.CancellationToken);
            }
            catch (Exception e)
            {
                _startFailure = e;
                await container.DisposeAsync();
                throw;
            }

            _container = container;
        }

        var name = $"notes_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_container.GetConnectionString()))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(_container.GetConnectionString());
        return new PostgresDatabase(builder.Host!, builder.Port, name, builder.Username!, builder.Password!);
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
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
