// Turns the exceptions that mean "the settings are wrong" into one readable console message, so that an operator
// sees "DB_PORT: expected an integer 1-65535, got 'abc'" instead of searching a stack trace for it.
using Microsoft.Extensions.Options;

namespace Api.Settings;

internal static class StartupFailure
{
    public const int ExitCode = 1;

    public static bool TryDescribe(Exception exception, out string message)
    {
        var failures = Flatten(exception).ToList();
        if (failures.Count == 0 || failures.Any(f => f is null))
        {
            message = "";
            return false;
        }

        message = "Start-up failed:" + Environment.NewLine
            + string.Join(Environment.NewLine, failures.Select(f => "  " + f));
        return true;
    }

    // Null marks an exception that is not about settings: such a failure keeps its stack trace.
    private static IEnumerable<string?> Flatten(Exception exception) => exception switch
    {
        OptionsValidationException e => e.Failures,
        StartupFailedException e => [e.Message],
        AggregateException e => e.InnerExceptions.SelectMany(Flatten),
        _ => [null],
    };
}
