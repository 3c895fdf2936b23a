// The notes API on a real SQLite file (the dev profile, migrated on start), one database per test.
using System.Net;
using System.Net.Http.Json;
using Api.Notes;
using Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Xunit;

namespace Api.Tests;

public sealed class NotesSqliteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Crud_SqliteFile_WorksEndToEnd()
    {
        await using var factory = new ApiFactory();
        await NotesScenarios.CrudAsync(factory.CreateClient());
    }

    [Fact]
    public async Task PostNote_BlankText_ValidationProblem()
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();

        // Act
        using var response = await client.PostAsJsonAsync("/notes", new { text = "  " }, Ct);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("text", problem!.Errors.Keys);
    }

    [Fact]
    public async Task PostNote_TooLong_ValidationProblem()
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();

        // Act
        using var response = await client.PostAsJsonAsync(
            "/notes", new { text = new string('x', 1001) }, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/notes?take=0")]
    [InlineData("/notes?take=201")]
    [InlineData("/notes?skip=-1")]
    public async Task ListNotes_BadPaging_ValidationProblem(string path)
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();

        // Act
        using var response = await client.GetAsync(path, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ListNotes_TakeAndSkip_PagesInIdOrder()
    {
        // Arrange
        await using var factory = new ApiFactory();
        var client = factory.CreateClient();
        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            using var created = await client.PostAsJsonAsync("/notes", new { text = $"n{i}" }, Ct);
            ids.Add((await created.Content.ReadFromJsonAsync<NotesApi.NoteResponse>(Ct))!.Id);
        }

        // Act
        var page = await client.GetFromJsonAsync<List<NotesApi.NoteResponse>>("/notes?take=2&skip=1", Ct);

        // Assert
        Assert.Equal(ids.Skip(1).Take(2), page!.Select(n => n.Id));
    }
}

/// <summary>The CRUD scenario both providers must pass.</summary>
internal static class NotesScenarios
{
    public static async Task CrudAsync(HttpClient client)
    {
        var ct = TestContext.Current.CancellationToken;

        // Create: 201, stored id, Location.
        using var created = await client.PostAsJsonAsync("/notes", new { text = "first" }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var note = (await created.Content.ReadFromJsonAsync<NotesApi.NoteResponse>(ct))!;
        Assert.True(note.Id > 0);
        Assert.Equal("first", note.Text);
        Assert.Equal($"/notes/{note.Id}", created.Headers.Location?.OriginalString);

        // Read and list.
        Assert.Equal(note, await client.GetFromJsonAsync<NotesApi.NoteResponse>($"/notes/{note.Id}", ct), NoteComparer.Instance);
        var list = await client.GetFromJsonAsync<List<NotesApi.NoteResponse>>("/notes", ct);
        Assert.Equal([note.Id], list!.Select(n => n.Id));

        // Update twice with the same body: idempotent, same text.
        for (var i = 0; i < 2; i++)
        {
            using var updated = await client.PutAsJsonAsync($"/notes/{note.Id}", new { text = "second" }, ct);
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
            Assert.Equal("second", (await updated.Content.ReadFromJsonAsync<NotesApi.NoteResponse>(ct))!.Text);
        }

        var stored = await client.GetFromJsonAsync<NotesApi.NoteResponse>($"/notes/{note.Id}", ct);
        Assert.Equal("second", stored!.Text);
        Assert.NotNull(stored.UpdatedAt);

        // Update of a missing note: 404, nothing created.
        using var missing = await client.PutAsJsonAsync("/notes/999999", new { text = "x" }, ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // Delete twice: 204 both times, then gone.
        using var deleted = await client.DeleteAsync($"/notes/{note.Id}", ct);
        using var deletedAgain = await client.DeleteAsync($"/notes/{note.Id}", ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deletedAgain.StatusCode);
        using var gone = await client.GetAsync($"/notes/{note.Id}", ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private sealed class NoteComparer : IEqualityComparer<NotesApi.NoteResponse?>
    {
        public static readonly NoteComparer Instance = new();

        // Providers round timestamps differently (PostgreSQL keeps microseconds): compare to the millisecond.
        public bool Equals(NotesApi.NoteResponse? x, NotesApi.NoteResponse? y) =>
            x is not null && y is not null && x.Id == y.Id && x.Text == y.Text
            && Math.Abs((x.CreatedAt - y.CreatedAt).TotalMilliseconds) < 1;

        public int GetHashCode(NotesApi.NoteResponse? obj) => obj?.Id ?? 0;
    }
}
