// Collects every sample from every client. Thread-safe and append-only: the report is computed after the run from
// a snapshot, so that recording costs the clients almost nothing.
using System.Collections.Concurrent;

namespace Proof.Tests.Load;

public sealed class Recorder
{
    private readonly ConcurrentQueue<RequestSample> _samples = new();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Adds a sample and returns the number recorded so far (used for the count cap).</summary>
    public long Add(RequestSample sample)
    {
        _samples.Enqueue(sample);
        return Interlocked.Increment(ref _count);
    }

    public IReadOnlyList<RequestSample> Snapshot() => _samples.ToArray();
}
