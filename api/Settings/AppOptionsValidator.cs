// Checks AppOptions and the host filter at start-up. Runs through ValidateOnStart, so a bad value stops the
// process before Kestrel listens; the entry point prints the failures (see StartupFailure). Outside Development it
// also refuses what a security review would: a short or placeholder SECRET_KEY, ALLOWED_HOSTS of '*', and
// Development itself inside the compose stack (docs/security.md, "Production refuses unsafe settings").
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Api.Settings;

internal sealed partial class AppOptionsValidator(IHostEnvironment environment, IConfiguration configuration)
    : IValidateOptions<AppOptions>
{
    /// <summary>The fixed key of appsettings.Development.json; a production instance must never run with it.</summary>
    public const string DevelopmentSecretKey = "insecure-dev-key-for-local-use-only";

    /// <summary>The shortest SECRET_KEY outside Development: 32 characters, as `openssl rand -hex 16` writes.</summary>
    public const int MinimumSecretKeyLength = 32;

    /// <summary>Set to true by docker-compose.yaml for every API container: this instance runs in the stack.</summary>
    public const string ComposeStackVariable = "ZDD_COMPOSE_STACK";

    // Placeholders that .env.sample files and tutorials ship with. Compared case-insensitively as prefixes.
    private static readonly string[] PlaceholderPrefixes =
        ["change-me", "changeme", "change_me", "replace-me", "django-insecure", "insecure-", "your-secret"];
    private static readonly string[] PlaceholderValues = ["secret", "password", "changeit", "dev", "test"];

    public ValidateOptionsResult Validate(string? name, AppOptions options)
    {
        var failures = new List<string>();

        if (options.Slot is not ("blue" or "green"))
        {
            failures.Add(Expect.Message("SLOT", "'blue' or 'green'", options.Slot));
        }

        Expect.IntegerInRange(failures, "SHUTDOWN_TIMEOUT_SECONDS", options.ShutdownTimeoutSeconds, 1, 3600);
        Expect.IntegerInRange(failures, "MAX_REQUEST_SECONDS", options.MaxRequestSeconds, 1, 3600);
        Expect.Boolean(failures, "ENABLE_SLOW_ENDPOINT", options.EnableSlowEndpoint);
        Expect.Boolean(failures, "EXPOSE_INSTANCE_DETAILS", options.ExposeInstanceDetails);
        Expect.IntegerInRange(failures, "MANAGEMENT_PORT", options.ManagementPort, 1, 65535);

        // A request allowed to outlive the shutdown timeout would be cut at every deploy (docs/failure-modes.md #12).
        if (Expect.TryInteger(options.ShutdownTimeoutSeconds, 1, 3600, out var shutdown)
            && Expect.TryInteger(options.MaxRequestSeconds, 1, 3600, out var maxRequest)
            && maxRequest > shutdown)
        {
            failures.Add(Expect.Message(
                "MAX_REQUEST_SECONDS", $"at most SHUTDOWN_TIMEOUT_SECONDS ({shutdown})", options.MaxRequestSeconds));
        }

        // The version goes into a response header, so it must be a plain token.
        if (!string.IsNullOrEmpty(options.Version) && !VersionPattern().IsMatch(options.Version))
        {
            failures.Add(Expect.Message("APP_VERSION", "1-64 characters of A-Z a-z 0-9 . _ + -", options.Version));
        }

        if (!environment.IsDevelopment()
            && (IsMissingOrPlaceholder(options.SecretKey) || options.SecretKey.Length < MinimumSecretKeyLength))
        {
            // Never echo the value: it may be a real secret with a typo.
            var got = string.IsNullOrEmpty(options.SecretKey) ? "an empty value"
                : IsMissingOrPlaceholder(options.SecretKey) ? "a placeholder"
                : $"{options.SecretKey.Length} characters";
            failures.Add("SECRET_KEY: expected a real secret outside Development (at least " +
                $"{MinimumSecretKeyLength} characters, not a placeholder such as 'change-me...'), got {got}");
        }

        // The framework turns an empty AllowedHosts into '*'; we never want that by accident.
        var allowedHosts = configuration["AllowedHosts"];
        if (string.IsNullOrWhiteSpace(allowedHosts)
            || allowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length == 0)
        {
            failures.Add(Expect.Message("ALLOWED_HOSTS", "';'-separated host names (use '*' explicitly for any)",
                allowedHosts));
        }
        else if (!environment.IsDevelopment() && allowedHosts.Split(';', StringSplitOptions.TrimEntries).Contains("*"))
        {
            // '*' turns host filtering off: any Host header reaches the app and the links it writes.
            failures.Add(Expect.Message("ALLOWED_HOSTS", "host names outside Development, not '*'", allowedHosts));
        }

        var composeStack = configuration[ComposeStackVariable];
        if (composeStack is not null)
        {
            Expect.Boolean(failures, ComposeStackVariable, composeStack);
            if (bool.TryParse(composeStack, out var inStack) && inStack && environment.IsDevelopment())
            {
                // Development shows exception details to every client and trusts the development defaults.
                failures.Add(Expect.Message("ASPNETCORE_ENVIRONMENT",
                    $"Production (any name but Development) in the compose stack ({ComposeStackVariable}=true)",
                    environment.EnvironmentName));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsMissingOrPlaceholder(string key) =>
        string.IsNullOrWhiteSpace(key)
        || key == DevelopmentSecretKey
        || PlaceholderValues.Contains(key, StringComparer.OrdinalIgnoreCase)
        || PlaceholderPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("^[A-Za-z0-9._+-]{1,64}$")]
    private static partial Regex VersionPattern();
}
