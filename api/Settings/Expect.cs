// One wording for every settings failure, so that an operator reading the console sees the variable to fix,
// what it must look like, and what it got: "DB_PORT: expected an integer 1-65535, got 'abc'".
using System.Globalization;

namespace Api.Settings;

internal static class Expect
{
    public static string Message(string variable, string expected, string? got) =>
        $"{variable}: expected {expected}, got '{got}'";

    /// <summary>Adds a failure unless <paramref name="value"/> is an integer in [min, max].</summary>
    public static void IntegerInRange(List<string> failures, string variable, string? value, int min, int max)
    {
        if (!TryInteger(value, min, max, out _))
        {
            failures.Add(Message(variable, $"an integer {min}-{max}", value));
        }
    }

    public static bool TryInteger(string? value, int min, int max, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result)
        && result >= min && result <= max;

    /// <summary>Adds a failure unless <paramref name="value"/> is true or false (any case).</summary>
    public static void Boolean(List<string> failures, string variable, string? value)
    {
        if (!bool.TryParse(value, out _))
        {
            failures.Add(Message(variable, "true or false", value));
        }
    }

    /// <summary>Parses a value that validation has already accepted.</summary>
    public static int Integer(string value) => int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Parses a value that validation has already accepted.</summary>
    public static bool Flag(string value) => bool.Parse(value);
}
