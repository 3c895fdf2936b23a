// Resident memory of a slot's container. Preferred source: the container's own cgroup on the host (`total_rss` in
// cgroup v1, `anon` in v2), which is anonymous memory, i.e. RSS without page cache. Fallback: `docker stats`,
// whose figure is usage minus inactive file cache, so slightly above RSS. The report names the source used.
using System.Globalization;
using Docker.Testing;

namespace Bench;

public sealed record SlotMemoryReading(double RssMiB, string RssSource, double DockerStatsMiB);

public static class SlotMemory
{
    public static async Task<SlotMemoryReading> ReadAsync(string containerId)
    {
        var (rss, source) = await ReadRssAsync(containerId);
        return new SlotMemoryReading(rss, source, await DockerStatsAsync(containerId));
    }

    private static async Task<(double MiB, string Source)> ReadRssAsync(string containerId)
    {
        foreach (var (path, key) in CgroupCandidates(containerId))
        {
            if (!File.Exists(path))
            {
                continue;
            }

            var line = (await File.ReadAllLinesAsync(path)).FirstOrDefault(l => l.StartsWith(key + " ", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line[(key.Length + 1)..], CultureInfo.InvariantCulture, out var bytes))
            {
                return (Stats.Round(bytes / 1048576.0), $"cgroup memory.stat {key}");
            }
        }

        return (await DockerStatsAsync(containerId), "docker stats MemUsage");
    }

    private static async Task<double> DockerStatsAsync(string containerId)
    {
        var stats = await ProcessRunner.RunAsync("docker",
            ["stats", "--no-stream", "--format", "{{.MemUsage}}", containerId], timeout: TimeSpan.FromSeconds(30));
        stats.EnsureSuccess($"docker stats {containerId}");
        // "45.21MiB / 23.54GiB"
        return Stats.Round(ParseSize(stats.StdOut.Split('/')[0].Trim()));
    }

    private static IEnumerable<(string Path, string Key)> CgroupCandidates(string id)
    {
        yield return ($"/sys/fs/cgroup/memory/docker/{id}/memory.stat", "total_rss");
        yield return ($"/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.stat", "anon");
        yield return ($"/sys/fs/cgroup/docker/{id}/memory.stat", "anon");
    }

    /// <summary>docker's human sizes ("45.21MiB", "1.2GiB", "980KiB", "12B") in MiB.</summary>
    public static double ParseSize(string s)
    {
        var units = new (string Suffix, double Factor)[]
        {
            ("KiB", 1.0 / 1024), ("MiB", 1), ("GiB", 1024), ("kB", 1000.0 / 1048576), ("MB", 1e6 / 1048576),
            ("GB", 1e9 / 1048576), ("B", 1.0 / 1048576),
        };
        foreach (var (suffix, factor) in units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                return double.Parse(s[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
            }
        }

        throw new FormatException($"unrecognised size '{s}'");
    }
}
