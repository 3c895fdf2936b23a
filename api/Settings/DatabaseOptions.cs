// Where the notes live: SQLite (a file, the dev default) or PostgreSQL (production), from the DB_* variables.
using Npgsql;

namespace Api.Settings;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    /// <summary>DB_ENGINE: sqlite or postgresql.</summary>
    public string Engine { get; set; } = PostgreSql;

    /// <summary>DB_NAME: the database name, or for SQLite the file (relative to the content root).</summary>
    public string Name { get; set; } = "";

    /// <summary>DB_USER.</summary>
    public string User { get; set; } = "";

    /// <summary>DB_PASSWORD. May be empty (trust or peer authentication).</summary>
    public string Password { get; set; } = "";

    /// <summary>DB_HOST. Required for PostgreSQL.</summary>
    public string Host { get; set; } = "";

    /// <summary>DB_PORT: 1-65535.</summary>
    public string Port { get; set; } = "5432";

    /// <summary>Apply pending migrations at start. Development only: production migrates with the verb.</summary>
    public bool MigrateOnStart { get; set; }

    public bool IsSqlite => Engine == Sqlite;

    public string BuildConnectionString(string contentRoot) => IsSqlite
        ? $"Data Source={Path.GetFullPath(Name, contentRoot)}"
        : new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Expect.Integer(Port),
            Database = Name,
            Username = User,
            Password = Password,
            // A readiness probe must answer within the HEALTHCHECK's 5 s even when the database host is silent
            // (Npgsql's default connect timeout is 15 s).
            Timeout = 3,
        }.ConnectionString;
}
