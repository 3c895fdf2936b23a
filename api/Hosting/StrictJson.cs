// builder.AddStrictJson(): request bodies say exactly what the endpoint takes. A field the API does not know, or the
// same field twice, is a client's mistake (a typo such as "txt", or a hand-built body); by default System.Text.Json
// ignores the first and keeps the last of the second, and the request would succeed with something the client did
// not mean. Both are refused as malformed JSON: 400 with a ProblemDetails body (tests/Api.Tests/BadInputTests.cs).
using System.Text.Json.Serialization;

namespace Api.Hosting;

public static class StrictJson
{
    public static WebApplicationBuilder AddStrictJson(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.AllowDuplicateProperties = false;
        });
        return builder;
    }
}
