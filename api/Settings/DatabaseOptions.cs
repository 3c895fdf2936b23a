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

    /// <summary>
    /// DB_MIGRATE_USER: the role the migrate verb connects as, the owner of the schema (db/init-roles.sh). Empty: the
    /// verb uses DB_USER, which is right for SQLite and for a database where one role does both.
    /// </summary>
    public string MigrateUser { get; set; } = "";

    /// <summary>DB_MIGRATE_PASSWORD. Given to the compose one-shot `migrate` only, never to a slot.</summary>
    public string MigratePassword { get; set; } = "";

    /// <summary>Apply pending migrations at start. Development only: production migrates with the verb.</summary>
    public bool MigrateOnStart { get; set; }

    public bool IsSqlite => Engine == Sqlite;

    /// <summary>True when the migrate verb connects as a role of its own (PostgreSQL and DB_MIGRATE_USER set).</summary>
    public bool HasMigrateRole => !IsSqlite && !string.IsNullOrWhiteSpace(MigrateUser);

    // A readiness probe must answer within the HEALTHCHECK's 5 s even when the database host is silent (Npgsql's
    // default connect timeout is 15 s). The migrate verb has no such bound and keeps Npgsql's default: a busy
    // database server must not fail a deploy's migration step.
    private const int ServingConnectTimeoutSeconds = 3;
    private const int MigrateConnectTimeoutSeconds = 15;

    public string BuildConnectionString(string contentRoot) => IsSqlite
        ? $"Data Source={Path.GetFullPath(Name, contentRoot)}"
        : BuildPostgresConnectionString(User, Password, ServingConnectTimeoutSeconds);

    /// <summary>The migrate verb's connection: as DB_MIGRATE_USER when set, else as DB_USER.</summary>
    public string BuildMigrateConnectionString(string contentRoot) => IsSqlite
        ? BuildConnectionString(contentRoot)
        : HasMigrateRole
            ? BuildPostgresConnectionString(MigrateUser, MigratePassword, MigrateConnectTimeoutSeconds)
            : BuildPostgresConnectionString(User, Password, MigrateConnectTimeoutSeconds);

    private string BuildPostgresConnectionString(string user, string password, int timeoutSeconds) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Expect.Integer(Port),
            Database = Name,
            Username = user,
            Password = password,
            Timeout = timeoutSeconds,
        }.ConnectionString;
}
