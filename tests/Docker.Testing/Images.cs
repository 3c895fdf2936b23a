// The container images every Docker test uses. Each is pinned and overridable by the same environment variable that
// docker-compose.yaml reads, so that CI (stand-in images, no registry) and a registry mirror work the same way.
namespace Docker.Testing;

public static class Images
{
    public const string DefaultNginx = "nginx:1.30";
    public const string DefaultPostgres = "postgres:17";
    public const string DefaultDotnetSdk = "mcr.microsoft.com/dotnet/sdk:10.0";
    public const string DefaultAspNet = "mcr.microsoft.com/dotnet/aspnet:10.0";

    public static string Nginx => Read("NGINX_IMAGE", DefaultNginx);

    public static string Postgres => Read("POSTGRES_IMAGE", DefaultPostgres);

    public static string DotnetSdk => Read("DOTNET_SDK_IMAGE", DefaultDotnetSdk);

    public static string AspNet => Read("ASPNET_IMAGE", DefaultAspNet);

    /// <summary>The image overrides as environment entries, for an env file or a child process.</summary>
    public static IReadOnlyDictionary<string, string> AsEnvironment() => new Dictionary<string, string>
    {
        ["NGINX_IMAGE"] = Nginx,
        ["POSTGRES_IMAGE"] = Postgres,
        ["DOTNET_SDK_IMAGE"] = DotnetSdk,
        ["ASPNET_IMAGE"] = AspNet,
    };

    private static string Read(string variable, string fallback)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
    }
}
