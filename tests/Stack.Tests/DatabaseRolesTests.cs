// The database roles of a running stack (db/init-roles.sh, the migrate verb): the API's role reads and writes the
// notes and nothing more, the schema owner owns every table, neither is a superuser, and the migrate verb run from a
// slot (the application role) can check the schema but not change it, and says which settings it needs.
using Docker.Testing;
using Xunit;

namespace Stack.Tests;

[Collection(HardenedStackCollection.Name)]
public sealed class DatabaseRolesTests(HardenedStack fixture)
{
    [Theory(Timeout = 600_000)]
    [InlineData("CREATE TABLE intruder (id int)", "permission denied for schema public")]
    [InlineData("CREATE TEMP TABLE scratch (id int)", "permission denied to create temporary tables")]
    [InlineData("DROP TABLE notes", "must be owner of table notes")]
    [InlineData("ALTER TABLE notes ADD COLUMN extra int", "must be owner of table notes")]
    [InlineData("TRUNCATE notes", "permission denied for table notes")]
    [InlineData("CREATE INDEX intruder ON notes (\"Text\")", "must be owner of table notes")]
    [InlineData("INSERT INTO \"__EFMigrationsHistory\" VALUES ('x', 'y')", "permission denied for table __EFMigrationsHistory")]
    [InlineData("DELETE FROM \"__EFMigrationsHistory\"", "permission denied for table __EFMigrationsHistory")]
    [InlineData("CREATE ROLE intruder", "permission denied to create role")]
    [InlineData("CREATE DATABASE intruder", "permission denied to create database")]
    public async Task ApplicationRole_SchemaChangeOrPrivilegedStatement_Refused(string sql, string error)
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        var before = await HardenedStack.NoteCountAsync(stack);

        // Act
        var result = await HardenedStack.PsqlAsync(stack, stack.Environment["DB_USER"], stack.Environment["DB_PASSWORD"], sql);

        // Assert
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(error, result.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, await HardenedStack.NoteCountAsync(stack));
    }

    [Fact(Timeout = 600_000)]
    public async Task ApplicationRole_ReadAndWriteNotes_Allowed()
    {
        // Arrange: one transaction, rolled back, so that the table is left as it was.
        var stack = await fixture.StartedAsync();
        const string sql = """
            BEGIN;
            INSERT INTO notes ("Text", "CreatedAt") VALUES ('role-check', now());
            UPDATE notes SET "Text" = 'role-check-2', "UpdatedAt" = now() WHERE "Text" = 'role-check';
            SELECT count(*) FROM notes WHERE "Text" = 'role-check-2';
            DELETE FROM notes WHERE "Text" = 'role-check-2';
            SELECT count(*) FROM "__EFMigrationsHistory" WHERE "MigrationId" <> '';
            ROLLBACK;
            """;

        // Act
        var result = await HardenedStack.PsqlAsync(stack, stack.Environment["DB_USER"], stack.Environment["DB_PASSWORD"], sql);

        // Assert: the row was there once, and the history (which readiness reads) is readable.
        Assert.True(result.ExitCode == 0, result.StdErr);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("1", lines[0]);
        Assert.True(int.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture) >= 1, result.StdOut);
    }

    [Fact(Timeout = 600_000)]
    public async Task Roles_AsCreated_SchemaOwnerOwnsTablesAndNeitherIsSuperuser()
    {
        // Arrange
        var stack = await fixture.StartedAsync();
        string owner = stack.Environment["DB_MIGRATE_USER"], app = stack.Environment["DB_USER"];

        // Act
        var tables = (await HardenedStack.PsqlAsync(stack, owner, stack.Environment["DB_MIGRATE_PASSWORD"],
            "SELECT tablename || '=' || tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"))
            .EnsureSuccess("listing tables").StdOut;
        var roles = (await HardenedStack.PsqlAsync(stack, owner, stack.Environment["DB_MIGRATE_PASSWORD"],
            $"SELECT rolname || '=' || rolsuper || rolcreatedb || rolcreaterole FROM pg_roles " +
            $"WHERE rolname IN ('{owner}', '{app}') ORDER BY 1")).EnsureSuccess("listing roles").StdOut;

        // Assert
        Assert.Equal(
            new[] { $"__EFMigrationsHistory={owner}", $"notes={owner}" },
            tables.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
        Assert.Equal(
            new[] { $"{app}=falsefalsefalse", $"{owner}=falsefalsefalse" }.Order(StringComparer.Ordinal),
            roles.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
        Assert.NotEqual(stack.Environment["DB_ADMIN_USER"], owner);
        Assert.NotEqual(stack.Environment["DB_ADMIN_USER"], app);
    }

    [Fact(Timeout = 600_000)]
    public async Task MigrateVerb_FromSlotNothingPending_SucceedsAsApplicationRole()
    {
        // Arrange: what the deploy scripts run before a swap (`docker compose run ... api-<slot> migrate`).
        var stack = await fixture.StartedAsync();

        // Act
        var result = await stack.ComposeAsync("run", "--rm", "--no-deps", "-T", "api-green", "migrate");

        // Assert
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        Assert.Contains("0 pending migration(s)", result.StdOut, StringComparison.Ordinal);
    }

    [Fact(Timeout = 600_000)]
    public async Task MigrateVerb_FromSlotWithPendingMigrations_FailsNamingMigrateSettings()
    {
        // Arrange: an empty database of the same server, where every migration is pending; the real one is untouched.
        var stack = await fixture.StartedAsync();
        string admin = stack.Environment["DB_ADMIN_USER"], password = stack.Environment["DB_ADMIN_PASSWORD"];
        (await HardenedStack.PsqlAsync(stack, admin, password, "CREATE DATABASE pending_check")).EnsureSuccess("create");
        ProcessResult result;
        try
        {
            // Act
            result = await stack.ComposeAsync(
                "run", "--rm", "--no-deps", "-T", "-e", "DB_NAME=pending_check", "api-green", "migrate");
        }
        finally
        {
            (await HardenedStack.PsqlAsync(stack, admin, password, "DROP DATABASE pending_check WITH (FORCE)"))
                .EnsureSuccess("drop");
        }

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("migrate: failed: 42501: permission denied for schema public. Migrations run as the schema's " +
            "owner: set DB_MIGRATE_USER and DB_MIGRATE_PASSWORD", result.StdErr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 600_000)]
    public async Task MigrateService_ForTheGreenSlotsImage_SucceedsAsSchemaOwner()
    {
        // Arrange: MIGRATE_SLOT picks the image (compose interpolation, so it goes into the process environment).
        var stack = await fixture.StartedAsync();
        var environment = new Dictionary<string, string>(stack.Environment) { ["MIGRATE_SLOT"] = "green" };

        // Act
        var result = await ProcessRunner.RunAsync("docker",
            ["compose", "--project-name", stack.ProjectName, "--file", stack.ComposeFile, "--env-file", stack.EnvFile,
                "run", "--rm", "--no-deps", "-T", "migrate"], environment, ct: TestContext.Current.CancellationToken);
        var slots = await stack.ComposeAsync("run", "--rm", "--no-deps", "-T", "--entrypoint", "env", "api-blue");

        // Assert: it ran, and the slots hold neither the schema owner's nor the superuser's credentials.
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        Assert.Contains("the schema is up to date", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("DB_MIGRATE_USER=\n", slots.StdOut, StringComparison.Ordinal);
        Assert.Contains("DB_MIGRATE_PASSWORD=\n", slots.StdOut, StringComparison.Ordinal);
        Assert.Contains("DB_ADMIN_PASSWORD=\n", slots.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Environment["DB_MIGRATE_PASSWORD"], slots.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.Environment["DB_ADMIN_PASSWORD"], slots.StdOut, StringComparison.Ordinal);
    }
}
