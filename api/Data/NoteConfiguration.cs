// Mapping of Note, shared by both providers' contexts.
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Api.Data;

internal sealed class NoteConfiguration : IEntityTypeConfiguration<Note>
{
    public void Configure(EntityTypeBuilder<Note> builder)
    {
        builder.ToTable("notes");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Text).HasMaxLength(Note.MaxTextLength).IsRequired();
        builder.Property(n => n.CreatedAt).IsRequired();
    }
}
