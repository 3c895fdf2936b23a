// Checks the DB_* variables at start-up; each message names the variable and what it should hold.
using Microsoft.Extensions.Options;

namespace Api.Settings;

internal sealed class DatabaseOptionsValidator(IHostEnvironment environment) : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();

        if (options.Engine is not (DatabaseOptions.Sqlite or DatabaseOptions.PostgreSql))
        {
            failures.Add(Expect.Message("DB_ENGINE", "'sqlite' or 'postgresql'", options.Engine));
        }

        Expect.IntegerInRange(failures, "DB_PORT", options.Port, 1, 65535);

        if (options.Engine == DatabaseOptions.PostgreSql)
        {
            Require(failures, "DB_HOST", "a host name for DB_ENGINE=postgresql", options.Host);
            Require(failures, "DB_NAME", "a database name for DB_ENGINE=postgresql", options.Name);
            Require(failures, "DB_USER", "a user name for DB_ENGINE=postgresql", options.User);
        }
        else if (options.Engine == DatabaseOptions.Sqlite)
        {
            Require(failures, "DB_NAME", "a file name for DB_ENGINE=sqlite", options.Name);
        }

        // Two old and new versions share one database during a swap; only the migrate verb may change its schema.
        if (options.MigrateOnStart && !environment.IsDevelopment())
        {
            failures.Add(Expect.Message("Database:MigrateOnStart", "false outside Development (run the migrate verb)",
                "true"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Require(List<string> failures, string variable, string expected, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add(Expect.Message(variable, expected, value));
        }
    }
}
