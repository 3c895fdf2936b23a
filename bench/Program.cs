// The benchmark and swap report (issue 6). One command: `dotnet run --project bench -c Release -- --mode full`.
// Writes bench/results/<timestamp>/report.json, report.md and swap.svg. Exit code: 0 measured with no failure,
// 3 measured with failures (counted in the report), 1 the benchmark itself could not run, 2 bad arguments.
using Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// Ctrl+C cancels the run; the stack is still removed by the `await using` in BenchRun.
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

try
{
    return await new BenchRun(options).RunAsync(cts.Token);
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException
                              or FormatException or IOException or HttpRequestException)
{
    Console.Error.WriteLine($"bench failed: {e}");
    return 1;
}
