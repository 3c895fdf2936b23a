// The benchmark and swap report. One command: `dotnet run --project bench -c Release -- --mode full`.
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

// Ctrl+C (SIGINT) and SIGTERM (a CI timeout, `kill`) cancel the run instead of ending the process at once, so that
// the `await using` in BenchRun still removes the stack.
using var cts = new CancellationTokenSource();
using var onInterrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGINT, Cancel);
using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, Cancel);

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

void Cancel(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine($"{context.Signal}: stopping and removing the stack");
    cts.Cancel();
}
