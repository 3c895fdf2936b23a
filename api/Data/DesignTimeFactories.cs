// Used only by dotnet-ef when it generates migrations, so that it never runs Program (which would read .env and
// validate settings). No connection is opened for `migrations add`.
//   dotnet ef migrations add <Name> --project api --context SqliteNotesContext --output-dir Data/Migrations/Sqlite
//   dotnet ef migrations add <Name> --project api --context PostgresNotesContext --output-dir Data/Migrations/Postgres
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Api.Data;

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteNotesContext>
{
    public SqliteNotesContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteNotesContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresNotesContext>
{
    public PostgresNotesContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresNotesContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
