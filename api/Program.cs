var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/profile", () => "placeholder");
app.Run();

public partial class Program;
