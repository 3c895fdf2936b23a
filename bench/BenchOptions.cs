// Command-line settings. Two modes: `full` (the published figures, under 10 minutes on 2 cores) and `quick`
// (a few seconds per part, for CI, so that the benchmark keeps working).
using System.Globalization;

namespace Bench;

public sealed record BenchOptions(
    string Mode,
    string OutputDirectory,
    int Swaps,
    WrkSettings Wrk,
    double RatePerSecond,
    TimeSpan SteadyDuration,
    TimeSpan RequestTimeout,
    double WindowSeconds,
    TimeSpan SwapTimeout,
    TimeSpan IdleSettle,
    int CeilingRounds,
    bool Publish = false,
    int Http2Clients = 2,
    double Http2RatePerClient = 50)
{
    public const string Usage =
        "usage: dotnet run --project bench -c Release -- --mode full|quick [--out DIR] [--swaps N] [--rate R] [--publish]";

    public static BenchOptions Parse(string[] args)
    {
        string? mode = null;
        string? output = null;
        int? swaps = null;
        double? rate = null;
        var publish = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            switch (args[i])
            {
                case "--mode": mode = Next(); break;
                case "--out": output = Next(); break;
                case "--swaps": swaps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rate": rate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--publish": publish = true; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'\n{Usage}");
            }
        }

        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        output ??= Path.Combine(FindBenchDirectory(), "results", stamp);
        var o = mode switch
        {
            // Full: 2 wrk threads (one per core) and 32 connections, as in the origin story's measurements.
            "full" => new BenchOptions("full", output, 10,
                new WrkSettings(2, 32, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)),
                200, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), 2.0,
                TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(5), CeilingRounds: 3),
            "quick" => new BenchOptions("quick", output, 2,
                new WrkSettings(2, 16, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)),
                100, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), 2.0,
                TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(2), CeilingRounds: 1, Http2RatePerClient: 25),
            _ => throw new ArgumentException($"--mode must be full or quick\n{Usage}"),
        };
        if (swaps is < 1 or > 50)
        {
            throw new ArgumentException("--swaps must be 1..50");
        }

        if (rate is <= 0 or > 2000)
        {
            throw new ArgumentException("--rate must be in (0, 2000] req/s");
        }

        // The committed figures (bench/report/, shown by docs/bench.md and the README) come from a full run only.
        if (publish && (o.Mode != "full" || swaps is not null || rate is not null))
        {
            throw new ArgumentException("--publish is for a full run with the default settings");
        }

        return o with { Swaps = swaps ?? o.Swaps, RatePerSecond = rate ?? o.RatePerSecond, Publish = publish };
    }

    /// <summary>bench/ in the repository, found from the working directory or the binary's location.</summary>
    public static string FindBenchDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "Service.sln")))
                {
                    return Path.Combine(d.FullName, "bench");
                }
            }
        }

        throw new InvalidOperationException("Service.sln not found above the working directory or the binary");
    }
}
