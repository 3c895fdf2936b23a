// The benchmark and swap report (issue 6). One command: `dotnet run --project bench -c Release -- --mode full`.
// Writes bench/results/<timestamp>/report.json, report.md and swap.svg.
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

Console.WriteLine(options);
return 0;
