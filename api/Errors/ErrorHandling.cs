// Errors as ProblemDetails. Development shows exception details (the framework's developer exception page, added
// automatically); every other environment answers a bare 500 ProblemDetails without them.
namespace Api.Errors;

public static class ErrorHandling
{
    public static WebApplicationBuilder AddErrorHandling(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        return builder;
    }

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler();
        }

        // Gives bodiless 404/405 answers a ProblemDetails body.
        app.UseStatusCodePages();
        return app;
    }
}
