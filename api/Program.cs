// Entry point and table of contents of the API: one line per concern, each concern in its own folder.
// `dotnet Api.dll` serves; `dotnet Api.dll probe|tls-cert|migrate ...` runs a verb (see Cli/CommandLine.cs).
using Api.Admin;
using Api.Cli;
using Api.Data;
using Api.Errors;
using Api.Health;
using Api.Hosting;
using Api.Notes;
using Api.Profile;
using Api.Proxy;
using Api.Settings;
using Api.Slow;

// Verbs that need neither settings nor a database: the HEALTHCHECK's probe and the certificate writer.
if (CommandLine.IsStandaloneVerb(args))
{
    return await CommandLine.RunStandaloneAsync(args);
}

try
{
    // .env becomes environment variables before the builder reads them; the real environment wins.
    DotEnv.Load();

    var builder = WebApplication.CreateBuilder(CommandLine.HostArgs(args));

    // Settings: appsettings.json < appsettings.{Environment}.json < environment/.env; validated at start.
    builder.AddSettings();
    // Notes database: SQLite (dev) or PostgreSQL (production), chosen by DB_ENGINE.
    builder.AddDatabase();
    // /health/live, /health/ready (database, migrations, draining), in-flight counting.
    builder.AddHealth();
    // X-Forwarded-For/-Proto and X-Real-IP from TRUSTED_PROXIES only.
    builder.AddProxySupport();
    // ProblemDetails; exception details in Development only.
    builder.AddErrorHandling();
    // Kestrel's limits (body size, header sizes and timeout), in line with nginx's.
    builder.AddServerLimits();
    // /admin on 127.0.0.1:MANAGEMENT_PORT only, next to the public port.
    builder.AddManagementPort();
    // Request bodies with unknown or repeated fields are refused (400).
    builder.AddStrictJson();
    // The clock handlers stamp notes with.
    builder.Services.AddSingleton(TimeProvider.System);

    var app = builder.Build();

    if (CommandLine.IsMigrate(args))
    {
        return await MigrateCommand.RunAsync(app);
    }

    // Every bad setting reported at once, before anything below reads one.
    app.ValidateSettings();

    // X-Slot and X-App-Version on every response.
    app.UseSlotHeaders();
    // Real client address and scheme, then one log line per request.
    app.UseProxySupport();
    app.UseErrorHandling();
    // ALLOWED_HOSTS: an unknown Host gets 400 with ProblemDetails (see AddSettings).
    app.UseHostFiltering();
    // Cache-Control: no-store on every response.
    app.UseNoStore();
    // 413 for a declared body over the limit; 404 for /admin anywhere but on the management port.
    app.UseRequestBodyLimit();
    app.UseManagementPort();
    // Requests in flight (health and admin excluded), for draining.
    app.UseInFlightCounting();

    // Development only (Database:MigrateOnStart); production runs the migrate verb.
    await app.MigrateOnStartAsync();

    app.MapProfile();
    app.MapHealth();
    app.MapAdmin();
    app.MapNotes();
    app.MapSlow();

    await app.RunAsync();
    return 0;
}
catch (Exception e) when (StartupFailure.TryDescribe(e, out var message))
{
    // A wrong setting is the operator's to fix: say which, not where in our code it was noticed.
    await Console.Error.WriteLineAsync(message);
    return StartupFailure.ExitCode;
}

/// <summary>Visible to WebApplicationFactory&lt;Program&gt; in the tests.</summary>
public partial class Program;
