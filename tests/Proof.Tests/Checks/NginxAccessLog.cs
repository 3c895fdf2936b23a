// Reads nginx's JSON access log (stdout of the nginx service) for a run. The client's view alone is not enough: a
// client that gives up is a 499 only nginx sees (docs/failure-modes.md #19), so a run is judged by both.
using System.Globalization;
using System.Text.Json;

namespace Proof.Tests.Checks;

public sealed record AccessLogEntry(
    int Status,
    string Request,
    string? Protocol,
    string? UpstreamAddr,
    string? UpstreamStatus,
    string Raw)
{
    /// <summary>The worker process that served the request: a reload starts workers with new pids.</summary>
    public int? Pid { get; init; }

    /// <summary>nginx's $connection_requests: the how-manyth request on its client connection this was.</summary>
    public int? ConnectionRequests { get; init; }
}

public sealed class NginxAccessLog(IReadOnlyList<AccessLogEntry> entries, int unparsedLines)
{
    public IReadOnlyList<AccessLogEntry> Entries { get; } = entries;

    /// <summary>Lines that looked like JSON but could not be read: counted, so that a format change is visible.</summary>
    public int UnparsedLines { get; } = unparsedLines;

    /// <summary>499 (client closed), 500, 502 (upstream gone), 503, 504 (upstream timeout), ...</summary>
    public IReadOnlyList<AccessLogEntry> Failures => Entries.Where(e => e.Status >= 499).ToList();

    public IReadOnlyDictionary<int, int> CountByStatus => Entries
        .GroupBy(e => e.Status)
        .OrderBy(g => g.Key)
        .ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Parses the raw output of ComposeStack.NginxAccessLogAsync: JSON lines mixed with nginx's own notices
    /// (error-log lines on stderr, possibly with a compose prefix), which are skipped.</summary>
    public static NginxAccessLog Parse(string raw)
    {
        var entries = new List<AccessLogEntry>();
        var unparsed = 0;
        foreach (var line in raw.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var start = line.IndexOf('{', StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line[start..]);
                var root = json.RootElement;
                if (!root.TryGetProperty("status", out var status))
                {
                    continue;
                }

                entries.Add(new AccessLogEntry(
                    ReadInt(status),
                    ReadString(root, "request") ?? "",
                    ReadString(root, "server_protocol"),
                    ReadString(root, "upstream_addr"),
                    ReadString(root, "upstream_status"),
                    line[start..])
                {
                    Pid = root.TryGetProperty("pid", out var pid) ? ReadInt(pid) : null,
                    ConnectionRequests = root.TryGetProperty("connection_requests", out var n) ? ReadInt(n) : null,
                });
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                unparsed++;
            }
        }

        return new NginxAccessLog(entries, unparsed);
    }

    /// <summary>Every worker pid that served a request of the run.</summary>
    public IReadOnlySet<int> Pids => Entries.Where(e => e.Pid is not null).Select(e => e.Pid!.Value).ToHashSet();

    /// <summary>The most requests any one client connection of <paramref name="protocol"/> carried.</summary>
    public int MaxConnectionRequests(string protocol) => Entries
        .Where(e => e.Protocol == protocol && e.ConnectionRequests is not null)
        .Select(e => e.ConnectionRequests!.Value)
        .DefaultIfEmpty()
        .Max();

    public IReadOnlyDictionary<string, int> CountByProtocol => Entries
        .GroupBy(e => e.Protocol ?? "?")
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Count());

    public string Describe() =>
        $"nginx access log: {Entries.Count} entries, by status [" +
        string.Join(", ", CountByStatus.Select(kv => $"{kv.Key}: {kv.Value}")) +
        $"], by protocol [{string.Join(", ", CountByProtocol.Select(kv => $"{kv.Key}: {kv.Value}"))}]" +
        $", >= 499: {Failures.Count}, unparsed lines: {UnparsedLines}";

    // nginx's escape=json writes every variable as a string; a hand-written format might write numbers.
    private static int ReadInt(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? value.GetInt32()
        : int.Parse(value.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.ToString() : null;
}
