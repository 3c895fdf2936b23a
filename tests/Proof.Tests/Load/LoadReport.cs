// The figures of a run, per kind of client, and the questions the assertions ask of the samples: what failed, in
// which time window, from which slot.
namespace Proof.Tests.Load;

public sealed record KindFigures(
    ClientKind Kind,
    int Requests,
    int Succeeded,
    IReadOnlyDictionary<int, int> NonSuccessByStatus,
    IReadOnlyDictionary<string, int> TransportErrorsByType,
    IReadOnlyDictionary<string, int> Slots,
    IReadOnlyDictionary<string, int> Protocols,
    double MaxLatencyMs,
    double P99LatencyMs)
{
    public int Failed => Requests - Succeeded;
}

public sealed class LoadReport(
    IReadOnlyList<RequestSample> samples,
    DateTimeOffset startedAt,
    DateTimeOffset stoppedAt,
    string? capReason)
{
    public IReadOnlyList<RequestSample> Samples { get; } = samples;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public DateTimeOffset StoppedAt { get; } = stoppedAt;

    /// <summary>Non-null when a hard cap ended the run before the test stopped it; the run then proves nothing.</summary>
    public string? CapReason { get; } = capReason;

    public IReadOnlyList<KindFigures> PerKind => Enum.GetValues<ClientKind>()
        .Select(kind => Figures(kind, Samples.Where(s => s.Kind == kind)))
        .ToList();

    public IEnumerable<RequestSample> Failures => Samples.Where(s => !s.IsSuccess);

    /// <summary>Samples whose request overlapped [from, to] (started before <paramref name="to"/>, ended after
    /// <paramref name="from"/>).</summary>
    public IEnumerable<RequestSample> Overlapping(DateTimeOffset from, DateTimeOffset to) =>
        Samples.Where(s => s.StartedAt <= to && s.EndedAt >= from);

    /// <summary>The same report restricted to requests that started at or after <paramref name="from"/>.</summary>
    public LoadReport StartingFrom(DateTimeOffset from) =>
        new(Samples.Where(s => s.StartedAt >= from).ToList(), from, StoppedAt, CapReason);

    public static KindFigures Figures(ClientKind kind, IEnumerable<RequestSample> samples)
    {
        var list = samples.ToList();
        var latencies = list.Select(s => s.Latency.TotalMilliseconds).Order().ToList();
        return new KindFigures(
            kind,
            list.Count,
            list.Count(s => s.IsSuccess),
            list.Where(s => s.Status is { } status && !s.IsSuccess)
                .GroupBy(s => s.Status!.Value)
                .ToDictionary(g => g.Key, g => g.Count()),
            list.Where(s => s.IsTransportError)
                .GroupBy(s => s.Error!)
                .ToDictionary(g => g.Key, g => g.Count()),
            list.GroupBy(s => s.Slot ?? "none")
                .ToDictionary(g => g.Key, g => g.Count()),
            list.GroupBy(s => s.Protocol is { } v ? $"HTTP/{v}" : "none")
                .ToDictionary(g => g.Key, g => g.Count()),
            latencies.Count == 0 ? 0 : Math.Round(latencies[^1], 1),
            latencies.Count == 0 ? 0 : Math.Round(Percentile(latencies, 0.99), 1));
    }

    /// <summary>Nearest-rank percentile of an ascending list.</summary>
    private static double Percentile(List<double> ascending, double fraction)
    {
        var rank = (int)Math.Ceiling(ascending.Count * fraction);
        return ascending[Math.Clamp(rank - 1, 0, ascending.Count - 1)];
    }

    /// <summary>One line per kind, for CI logs.</summary>
    public string Describe() => string.Join(Environment.NewLine, PerKind.Select(f =>
        $"{f.Kind,-16} requests={f.Requests,7} ok={f.Succeeded,7} failed={f.Failed} " +
        $"non2xx=[{Join(f.NonSuccessByStatus)}] errors=[{Join(f.TransportErrorsByType)}] " +
        $"slots=[{Join(f.Slots)}] protocols=[{Join(f.Protocols)}] maxMs={f.MaxLatencyMs:F0} p99Ms={f.P99LatencyMs:F0}"));

    private static string Join<TKey>(IReadOnlyDictionary<TKey, int> counts) where TKey : notnull =>
        string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}"));
}
