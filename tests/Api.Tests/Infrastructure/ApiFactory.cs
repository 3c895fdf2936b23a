// The API in process (WebApplicationFactory<Program>) with the settings a test gives, passed under their variable
// names (SLOT, DB_PORT, ...) exactly as the environment would pass them. Each factory gets its own SQLite file,
// deleted on dispose, unless the test points DB_* elsewhere.
// The in-memory server has no sockets, so no local port: a filter stands in for Kestrel and sets the connection's
// local port from the request's Host port, so that CreateClient() arrives on the public port (80) and
// CreateManagementClient() on the management port (9090). The real thing, with Kestrel, is tested through AppProcess.
using Api.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Api.Tests.Infrastructure;

public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly string _environment;
    private readonly Dictionary<string, string?> _settings;

    public ApiFactory(string environment = "Development", IReadOnlyDictionary<string, string?>? settings = null)
    {
        _environment = environment;
        DatabasePath = Path.Combine(TempDirectory.Root, $"notes-{Guid.NewGuid():N}.db");
        _settings = new Dictionary<string, string?>(StringComparer.Ordinal) { ["DB_NAME"] = DatabasePath };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DatabasePath { get; }

    /// <summary>A client whose requests arrive on the management port (where /admin answers).</summary>
    public HttpClient CreateManagementClient() => CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri($"http://localhost:{ManagementPort.DefaultPort}"),
    });

    /// <summary>Settings of a production instance that needs no database until a request uses it.</summary>
    public static Dictionary<string, string?> Production(params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SECRET_KEY"] = "tests-0123456789abcdef0123456789abcdef",
            ["DB_HOST"] = "db.invalid",
            ["DB_NAME"] = "notes",
            ["DB_USER"] = "notes",
            ["DB_PASSWORD"] = "notes",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, LocalPortFromHost>());
    }

    private sealed class LocalPortFromHost : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.LocalPort = context.Request.Host.Port ?? 80;
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // Pooled connections keep the file open.
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(DatabasePath + suffix);
        }
    }
}
