// Who this instance is: what /profile, /admin/status and the X-Slot/X-App-Version headers report.
// Unless EXPOSE_INSTANCE_DETAILS is on (Development), public answers name no host (a container's host name is its id)
// and no commit: the version loses its build metadata ("1.0.0+3f2a..." becomes "1.0.0"). APP_VERSION, which the
// images set and the deploy scripts and tests compare, has none, so it is reported as given.
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Api.Settings;

public sealed class InstanceInfo(IOptions<AppOptions> options, IHostEnvironment environment)
{
    public string Slot { get; } = options.Value.Slot;

    public string Version { get; } = options.Value.GetExposeInstanceDetails()
        ? options.Value.GetVersion()
        : WithoutBuildMetadata(options.Value.GetVersion());

    public string Profile { get; } = SettingsProfile.Of(environment);

    /// <summary>The machine (container) name, or null when EXPOSE_INSTANCE_DETAILS is off.</summary>
    public string? Host { get; } = options.Value.GetExposeInstanceDetails() ? Environment.MachineName : null;

    public DateTimeOffset StartedAt { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    private static string WithoutBuildMetadata(string version) =>
        version.IndexOf('+', StringComparison.Ordinal) is var plus and > 0 ? version[..plus] : version;
}
