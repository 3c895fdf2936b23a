// `migrate`: applies the EF Core migrations of the provider DB_ENGINE selects, then exits. Production runs it as
// its own step (the compose one-shot `migrate`) before a new version starts, never at app start-up.
// It connects as DB_MIGRATE_USER, the schema's owner, when that is set (PostgreSQL), else as DB_USER. The slots
// hold only DB_USER, the application role, which cannot change the schema: run from a slot, the verb succeeds when
// nothing is pending and otherwise says which settings it needs.
using Api.Data;
using Api.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Api.Cli;

internal static class MigrateCommand
{
    // PostgreSQL's SQLSTATE for "insufficient_privilege".
    private const string InsufficientPrivilege = "42501";

    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            var options = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
            db.Database.SetConnectionString(options.BuildMigrateConnectionString(app.Environment.ContentRootPath));
            await db.MigrateAsync(app.Logger, CancellationToken.None);
            if (options.HasMigrateRole && options.User != options.MigrateUser)
            {
                await db.RevokeHistoryWritesAsync(options.User, CancellationToken.None);
            }

            return 0;
        }
        catch (PostgresException e) when (e.SqlState == InsufficientPrivilege)
        {
            await Console.Error.WriteLineAsync(
                $"migrate: failed: {e.SqlState}: {e.MessageText}. Migrations run as the schema's owner: set " +
                "DB_MIGRATE_USER and DB_MIGRATE_PASSWORD (the compose one-shot `migrate` has them, the slots do " +
                "not: MIGRATE_SLOT=<slot> docker compose run --rm --no-deps migrate)");
            return 1;
        }
        catch (Exception e) when (e is not OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"migrate: failed: {e.Message}");
            return 1;
        }
        finally
        {
            // Flushes the console logger, so the log lines of a one-shot container are not lost.
            await app.DisposeAsync();
        }
    }
}
