// The profile name /profile reports: the Django settings module's role, derived from the ASP.NET Core environment.
namespace Api.Settings;

public static class SettingsProfile
{
    public static string Of(IHostEnvironment environment) => environment.EnvironmentName switch
    {
        "Development" => "dev",
        "Production" => "production",
        var other => other.ToLowerInvariant(),
    };
}
