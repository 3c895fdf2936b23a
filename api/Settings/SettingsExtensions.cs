// builder.AddSettings(): the Django-style split. appsettings.json holds safe base defaults,
// appsettings.{Development,Production}.json only what differs, and the environment (or .env) overrides both
// through the flat variable names of docs/api.md. Every options class validates at start (ValidateOnStart).
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;

namespace Api.Settings;

public static class SettingsExtensions
{
    // Always allowed besides ALLOWED_HOSTS: the probe verb and health checks call 127.0.0.1, and a loopback name
    // cannot point a generated link at someone else's site (the attack host filtering exists for).
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    public static WebApplicationBuilder AddSettings(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddEnvironmentAliases(builder.Configuration);

        AddValidated<AppOptions, AppOptionsValidator>(builder, AppOptions.SectionName);
        AddValidated<DatabaseOptions, DatabaseOptionsValidator>(builder, DatabaseOptions.SectionName);
        AddValidated<ProxyOptions, ProxyOptionsValidator>(builder, ProxyOptions.SectionName);

        // Read raw here rather than through IOptions<AppOptions>: the host resolves HostOptions while it is being
        // built, before validation runs, and a bad value must reach the validator's message, not a parse exception.
        builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var key = $"{AppOptions.SectionName}:{nameof(AppOptions.ShutdownTimeoutSeconds)}";
            if (Expect.TryInteger(configuration[key], 1, 3600, out var seconds))
            {
                host.ShutdownTimeout = TimeSpan.FromSeconds(seconds);
            }
        });

        builder.Services.AddOptions<HostFilteringOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            var hosts = (configuration["AllowedHosts"] ?? "")
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            options.AllowedHosts = hosts.Contains("*") ? ["*"] : [.. hosts.Union(LoopbackHosts)];
            // Default: true, an HTML page. Without it, UseStatusCodePages answers the 400 with ProblemDetails.
            options.IncludeFailureMessage = false;
        });

        // The framework runs host filtering before every middleware of the app (a startup filter), so an unknown Host
        // got a bare 400 without ProblemDetails and without X-Slot. Program.cs calls UseHostFiltering itself, after
        // the error handling; this removes the framework's copy. Matched by name because the type is internal: if a
        // framework version renames it, both run, the first still refuses, and BadInputTests fails on the bare 400.
        var frameworkHostFiltering = builder.Services
            .Where(d => d.ServiceType == typeof(IStartupFilter)
                && d.ImplementationType?.Name == "HostFilteringStartupFilter")
            .ToList();
        foreach (var descriptor in frameworkHostFiltering)
        {
            builder.Services.Remove(descriptor);
        }

        builder.Services.AddSingleton<InstanceInfo>();
        return builder;
    }

    /// <summary>
    /// Runs every ValidateOnStart check now, so that all bad settings are reported together, before the first
    /// middleware reads one of them (the host would otherwise validate only at start).
    /// </summary>
    public static WebApplication ValidateSettings(this WebApplication app)
    {
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        return app;
    }

    private static void AddValidated<TOptions, TValidator>(WebApplicationBuilder builder, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.AddOptions<TOptions>()
            .BindConfiguration(section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}
