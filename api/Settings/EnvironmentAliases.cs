// The flat environment variable names that docs/api.md documents (SECRET_KEY, DB_PORT, ...) mapped onto the
// configuration sections the options classes bind. Docker's env_file, compose and the Django original all speak
// in flat names; ASP.NET Core speaks in sections. This table is the one place where the two meet.
using Microsoft.Extensions.Configuration;

namespace Api.Settings;

internal static class EnvironmentAliases
{
    /// <summary>Flat variable name -> configuration key. Order is the order of the docs table.</summary>
    public static readonly IReadOnlyList<(string Variable, string Key)> Map =
    [
        ("SECRET_KEY", "App:SecretKey"),
        ("SLOT", "App:Slot"),
        ("APP_VERSION", "App:Version"),
        ("SHUTDOWN_TIMEOUT_SECONDS", "App:ShutdownTimeoutSeconds"),
        ("MAX_REQUEST_SECONDS", "App:MaxRequestSeconds"),
        ("ENABLE_SLOW_ENDPOINT", "App:EnableSlowEndpoint"),
        ("MANAGEMENT_PORT", "App:ManagementPort"),
        ("EXPOSE_INSTANCE_DETAILS", "App:ExposeInstanceDetails"),
        ("ALLOWED_HOSTS", "AllowedHosts"),
        ("TRUSTED_PROXIES", "Proxy:TrustedProxies"),
        ("DB_ENGINE", "Database:Engine"),
        ("DB_NAME", "Database:Name"),
        ("DB_USER", "Database:User"),
        ("DB_PASSWORD", "Database:Password"),
        ("DB_HOST", "Database:Host"),
        ("DB_PORT", "Database:Port"),
        ("DB_MIGRATE_USER", "Database:MigrateUser"),
        ("DB_MIGRATE_PASSWORD", "Database:MigratePassword"),
    ];

    /// <summary>
    /// Adds a provider that answers each mapped key with the value of its flat variable, looked up lazily in
    /// <paramref name="root"/>. Lazy, so that sources added later (a test's in-memory settings, the command
    /// line) are seen too; added last, so that the environment wins over appsettings*.json.
    /// </summary>
    public static IConfigurationBuilder AddEnvironmentAliases(
        this IConfigurationBuilder builder, IConfiguration root) =>
        builder.Add(new AliasSource(root));

    private sealed class AliasSource(IConfiguration root) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new AliasProvider(root);
    }

    private sealed class AliasProvider(IConfiguration root) : ConfigurationProvider
    {
        private static readonly Dictionary<string, string> VariableByKey =
            Map.ToDictionary(m => m.Key, m => m.Variable, StringComparer.OrdinalIgnoreCase);

        public override bool TryGet(string key, out string? value)
        {
            // The flat names are never keys of this provider, so reading them from the root cannot recurse.
            value = VariableByKey.TryGetValue(key, out var variable) ? root[variable] : null;
            return value is not null;
        }

        public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
        {
            var prefix = parentPath is null ? "" : parentPath + ConfigurationPath.KeyDelimiter;
            var own = Map
                .Where(m => m.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                    && root[m.Variable] is not null)
                .Select(m => m.Key[prefix.Length..].Split(ConfigurationPath.KeyDelimiter)[0]);
            return earlierKeys.Concat(own).OrderBy(k => k, ConfigurationKeyComparer.Instance);
        }
    }
}
