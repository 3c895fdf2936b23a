// What the figures were taken on: they mean little without the machine, the engine and the images.
using System.Globalization;
using System.Runtime.InteropServices;
using Docker.Testing;

namespace Bench;

public static class Machine
{
    public static async Task<MachineInfo> DescribeAsync(string wrkVersion, IReadOnlyDictionary<string, string> images)
    {
        var docker = await ProcessRunner.RunAsync("docker", ["version", "--format", "{{.Server.Version}}"],
            timeout: TimeSpan.FromSeconds(30));
        var compose = await ProcessRunner.RunAsync("docker", ["compose", "version", "--short"],
            timeout: TimeSpan.FromSeconds(30));
        return new MachineInfo(
            Environment.ProcessorCount,
            MemoryMiB(),
            OsName(),
            ReadOr("/proc/sys/kernel/osrelease", RuntimeInformation.OSDescription),
            docker.ExitCode == 0 ? docker.StdOut.Trim() : "unknown",
            compose.ExitCode == 0 ? compose.StdOut.Trim() : "unknown",
            wrkVersion,
            RuntimeInformation.FrameworkDescription,
            LoadAverage(),
            images);
    }

    /// <summary>
    /// The 1, 5 and 15 minute load averages: on a shared machine, the figures mean little without knowing how busy
    /// it was while they were taken.
    /// </summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg")
            ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
            : "unknown";

    private static long MemoryMiB()
    {
        // MemTotal in /proc/meminfo (kB); elsewhere the GC's view of physical memory.
        var line = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            : null;
        if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                CultureInfo.InvariantCulture, out var kb))
        {
            return kb / 1024;
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
    }

    private static string OsName()
    {
        var pretty = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            : null;
        return pretty?["PRETTY_NAME=".Length..].Trim('"') ?? RuntimeInformation.OSDescription;
    }

    private static string ReadOr(string path, string fallback) =>
        File.Exists(path) ? File.ReadAllText(path).Trim() : fallback;
}
