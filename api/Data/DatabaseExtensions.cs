// builder.AddDatabase() registers both providers' contexts and hands out the one DB_ENGINE selects as NotesContext.
// MigrateAsync is the one place migrations run: the migrate verb (production) and dev start-up both call it.
using Api.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;

namespace Api.Data;

public static partial class DatabaseExtensions
{
    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddDbContextPool<SqliteNotesContext>((services, options) =>
            options.UseSqlite(ConnectionString(services)));
        builder.Services.AddDbContextPool<PostgresNotesContext>((services, options) =>
            options.UseNpgsql(ConnectionString(services)));
        builder.Services.AddScoped<NotesContext>(services =>
            services.GetRequiredService<IOptions<DatabaseOptions>>().Value.IsSqlite
                ? services.GetRequiredService<SqliteNotesContext>()
                : services.GetRequiredService<PostgresNotesContext>());
        return builder;
    }

    /// <summary>Dev start-up: applies migrations when Database:MigrateOnStart is set (Development only).</summary>
    public static async Task MigrateOnStartAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<NotesContext>()
                .MigrateAsync(app.Logger, app.Lifetime.ApplicationStopping);
        }
    }

    /// <summary>Applies pending migrations behind the provider's execution strategy; logs and rethrows.</summary>
    public static async Task MigrateAsync(this NotesContext db, ILogger logger, CancellationToken cancellationToken)
    {
        var provider = db.Database.ProviderName;
        try
        {
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                LogPending(logger, provider, pending.Count, string.Join(", ", pending));
                // Nothing to apply: return before EF Core's own MigrateAsync, which creates the history table "if
                // not exists" and locks it, both of which need the schema owner's rights. So a role that may only
                // read the schema (a slot's application role) can run the verb as a check that succeeds.
                if (pending.Count > 0)
                {
                    await db.Database.MigrateAsync(cancellationToken);
                }
            });
            LogMigrated(logger, provider);
        }
        catch (Exception e)
        {
            LogFailed(logger, e, provider);
            throw;
        }
    }

    /// <summary>
    /// Takes INSERT, UPDATE, DELETE and TRUNCATE on the migrations history back from the application role: the
    /// schema owner's default privileges (db/init-roles.sh) give it those on every table, and the history is the
    /// one table it must only read (its readiness check compares it with the migrations it knows). Idempotent.
    /// </summary>
    public static async Task RevokeHistoryWritesAsync(
        this NotesContext db, string applicationRole, CancellationToken cancellationToken)
    {
        var sql = "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON " + QuoteIdentifier(HistoryRepository.DefaultTableName)
            + " FROM " + QuoteIdentifier(applicationRole);
        await db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
    }

    // PostgreSQL's quoting of an identifier: double quotes, with any double quote inside doubled.
    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string ConnectionString(IServiceProvider services) =>
        services.GetRequiredService<IOptions<DatabaseOptions>>().Value
            .BuildConnectionString(services.GetRequiredService<IHostEnvironment>().ContentRootPath);

    [LoggerMessage(LogLevel.Information, "Migrating {Provider}: {Count} pending migration(s) {Migrations}")]
    private static partial void LogPending(ILogger logger, string? provider, int count, string migrations);

    [LoggerMessage(LogLevel.Information, "Migrated {Provider}: the schema is up to date")]
    private static partial void LogMigrated(ILogger logger, string? provider);

    [LoggerMessage(LogLevel.Error, "Migration of {Provider} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string? provider);
}
