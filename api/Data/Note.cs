// A note: the small resource the swap tests write to and count.
namespace Api.Data;

public sealed class Note
{
    public const int MaxTextLength = 1000;

    public int Id { get; set; }

    public required string Text { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }
}
