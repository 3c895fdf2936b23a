// `migrate`: applies the EF Core migrations of the provider DB_ENGINE selects, then exits. Production runs it as
// its own step (the compose one-shot `migrate`) before a new version starts, never at app start-up.
using Api.Data;

namespace Api.Cli;

internal static class MigrateCommand
{
    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NotesContext>();
            await db.MigrateAsync(app.Logger, CancellationToken.None);
            return 0;
        }
        catch (Exception e) when (e is not Microsoft.Extensions.Options.OptionsValidationException)
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
