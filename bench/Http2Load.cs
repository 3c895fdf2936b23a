// HTTP/2 clients that never renew their connections: each is one HttpClient (SocketsHttpHandler, no pooled-connection
// lifetime, one HTTP/2 connection) sending GET /profile at a fixed rate (open loop, OpenLoopLoad) from the steady phase
// to the end of the swaps. nginx ends an HTTP/2 connection after keepalive_requests streams with a GOAWAY, and a client
// that has a stream in flight at that instant may lose it; a swap must cost such a client nothing either. The report
// gives their requests, failures, and how many HTTP/2 connections nginx's access log shows for them (as many as
// clients means that no connection was turned over during the run).
using System.Net;
using System.Text.Json;
using Docker.Testing;

namespace Bench;

public sealed record Http2Report(
    int Clients,
    double RatePerClient,
    int Requests,
    int Failed,
    IReadOnlyDictionary<string, int> FailuresByKind,
    LatencySummary Latency,
    int NginxConnections,
    int NginxRequests);

public sealed class Http2Load
{
    private readonly List<HttpClient> _clients;
    private readonly List<Task<Sample[]>> _loads;
    private readonly double _rate;

    private Http2Load(List<HttpClient> clients, List<Task<Sample[]>> loads, double rate)
    {
        _clients = clients;
        _loads = loads;
        _rate = rate;
    }

    public static Http2Load Start(ComposeStack stack, Uri profile, int clients, double ratePerClient, TimeSpan maxDuration,
        TimeSpan requestTimeout, BenchClock clock, CancellationToken stop, CancellationToken ct)
    {
        var list = new List<HttpClient>();
        var loads = new List<Task<Sample[]>>();
        for (var i = 0; i < clients; i++)
        {
            // CreateHttpClient's handler keeps its connection for ever (PooledConnectionLifetime infinite) and opens
            // one HTTP/2 connection per server: exactly the client the target is about.
            var client = stack.CreateHttpClient(HttpVersion.Version20);
            list.Add(client);
            // Bounded: the load stops at `stop` (the end of the swaps), and at the latest after maxDuration.
            loads.Add(Task.Run(() => OpenLoopLoad.RunAsync(client, profile, ratePerClient, maxDuration, requestTimeout,
                clock, stop, ct), ct));
        }

        return new Http2Load(list, loads, ratePerClient);
    }

    public async Task<Http2Report> CompleteAsync(ComposeStack stack, DateTimeOffset since)
    {
        var samples = (await Task.WhenAll(_loads)).SelectMany(s => s).ToArray();
        foreach (var c in _clients)
        {
            c.Dispose();
        }

        // nginx's view: the distinct HTTP/2 connections ($connection with $http2 set) that served /profile.
        var connections = new HashSet<string>(StringComparer.Ordinal);
        var requests = 0;
        foreach (var line in (await stack.NginxAccessLogAsync(since)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                if (r.TryGetProperty("http2", out var h2) && h2.GetString() is { Length: > 0 } &&
                    r.TryGetProperty("connection", out var conn) && r.TryGetProperty("pid", out var pid))
                {
                    // $connection is a counter per worker process: the pair names a connection.
                    connections.Add($"{pid}/{conn}");
                    requests++;
                }
            }
            catch (JsonException)
            {
                // Not an access-log line.
            }
        }

        return new Http2Report(_clients.Count, _rate, samples.Length, samples.Count(s => s.Failed),
            samples.Where(s => s.Failed).GroupBy(s => s.Error ?? $"HTTP {s.Status}").ToDictionary(g => g.Key, g => g.Count()),
            Stats.Latency(samples.Select(s => s.LatencyMs)), connections.Count, requests);
    }
}
