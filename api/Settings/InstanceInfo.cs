// Who this instance is: what /profile, /admin/status and the X-Slot/X-App-Version headers report.
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Api.Settings;

public sealed class InstanceInfo(IOptions<AppOptions> options, IHostEnvironment environment)
{
    public string Slot { get; } = options.Value.Slot;

    public string Version { get; } = options.Value.GetVersion();

    public string Profile { get; } = SettingsProfile.Of(environment);

    public string Host { get; } = Environment.MachineName;

    public DateTimeOffset StartedAt { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();
}
