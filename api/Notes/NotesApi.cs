// /notes: a small resource with writes. Creates return the stored id (the swap tests count rows by it);
// PUT is a full, idempotent update and DELETE answers 204 even when the note is already gone, because nginx
// retries PUT and DELETE by default (docs/failure-modes.md #11).
using Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Api.Notes;

public static class NotesApi
{
    public const int DefaultTake = 50;
    public const int MaxTake = 200;

    public sealed record NoteRequest(string? Text);

    public sealed record NoteResponse(int Id, string Text, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt)
    {
        public static NoteResponse From(Note note) => new(note.Id, note.Text, note.CreatedAt, note.UpdatedAt);
    }

    public static RouteGroupBuilder MapNotes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/notes");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:int}", GetAsync);
        group.MapPost("/", CreateAsync);
        group.MapPut("/{id:int}", UpdateAsync);
        group.MapDelete("/{id:int}", DeleteAsync);
        return group;
    }

    private static async Task<Results<Ok<List<NoteResponse>>, ValidationProblem>> ListAsync(
        NotesContext db, CancellationToken cancellationToken, int take = DefaultTake, int skip = 0)
    {
        if (take is < 1 or > MaxTake || skip < 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["take"] = [$"take must be 1-{MaxTake} and skip at least 0."],
            });
        }

        var notes = await db.Notes
            .AsNoTracking()
            .OrderBy(n => n.Id)
            .Skip(skip)
            .Take(take)
            .Select(n => new NoteResponse(n.Id, n.Text, n.CreatedAt, n.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(notes);
    }

    private static async Task<Results<Ok<NoteResponse>, NotFound>> GetAsync(
        int id, NotesContext db, CancellationToken cancellationToken)
    {
        var note = await db.Notes.AsNoTracking().FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        return note is null ? TypedResults.NotFound() : TypedResults.Ok(NoteResponse.From(note));
    }

    private static async Task<Results<Created<NoteResponse>, ValidationProblem>> CreateAsync(
        NoteRequest request, NotesContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } problem)
        {
            return problem;
        }

        var note = new Note { Text = request.Text!, CreatedAt = clock.GetUtcNow() };
        db.Notes.Add(note);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/notes/{note.Id}", NoteResponse.From(note));
    }

    private static async Task<Results<Ok<NoteResponse>, NotFound, ValidationProblem>> UpdateAsync(
        int id, NoteRequest request, NotesContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } problem)
        {
            return problem;
        }

        var note = await db.Notes.FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        if (note is null)
        {
            return TypedResults.NotFound();
        }

        // Repeating the same PUT leaves the same text; only the update time moves.
        note.Text = request.Text!;
        note.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(NoteResponse.From(note));
    }

    private static async Task<NoContent> DeleteAsync(int id, NotesContext db, CancellationToken cancellationToken)
    {
        await db.Notes.Where(n => n.Id == id).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    // NUL and unpaired surrogates are valid in a JSON string but not in PostgreSQL text (NUL fails the insert with a
    // 500; a lone surrogate would be stored as U+FFFD, not as sent), so they are refused up front on both databases.
    private static ValidationProblem? Validate(NoteRequest request) =>
        string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > Note.MaxTextLength
            || request.Text.Contains('\0', StringComparison.Ordinal) || HasUnpairedSurrogate(request.Text)
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["text"] = [$"text is required, at most {Note.MaxTextLength} characters, without NUL characters " +
                    "or unpaired surrogates."],
            })
            : null;

    private static bool HasUnpairedSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
