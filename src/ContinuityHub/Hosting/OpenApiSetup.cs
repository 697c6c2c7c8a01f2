using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace ContinuityHub.Hosting;

/// <summary>
/// The OpenAPI document of the JSON API (<c>/openapi/v1.json</c>, Microsoft.AspNetCore.OpenApi) and its reference
/// page (<c>/api-docs</c>, Scalar). Only <c>/api/v1</c> is described: <c>/fhir</c> describes itself in its
/// CapabilityStatement, and the web pages are not an API. Each endpoint declares its own request and answer
/// types where it is mapped; this file adds what every operation shares: the bearer scheme, and the
/// problem+json answers of authentication, authorisation and unexpected failures.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api-docs";
    private const string BearerScheme = "Bearer";

    public static void AddHubOpenApi(this WebApplicationBuilder builder) =>
        builder.Services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ContinuityHub API",
                    Version = "v1",
                    Description = "Release notifications, HMPPS events, referral actions, people's status and the 21-day " +
                                  "continuity-of-care measure. Every call needs a JWT bearer token whose roles and scope claims " +
                                  "decide what it may see and change. Errors are RFC 9457 problem+json.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [BearerScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "A token from the configured identity provider (in development: `dotnet run -- dev-token`).",
                    },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                operation.Responses ??= new OpenApiResponses();
                var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), cancellationToken: cancellationToken);
                if (!metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
                    AddProblem(operation, problem, StatusCodes.Status401Unauthorized, "No valid bearer token.");
                    AddProblem(operation, problem, StatusCodes.Status403Forbidden, "The token's role or scope does not cover this.");
                }
                AddProblem(operation, problem, StatusCodes.Status503ServiceUnavailable, "The database cannot be reached; try again after Retry-After.");
                AddProblem(operation, problem, StatusCodes.Status500InternalServerError, "An unexpected failure, logged with the correlation id.");
            });
        });

    private static void AddProblem(OpenApiOperation operation, OpenApiSchema schema, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key)) return;
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
        };
    }

    public static void MapHubOpenApi(this WebApplication app)
    {
        // The description of the API holds no personal data, and callers need it before they have a token.
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, options => options
                .WithTitle("ContinuityHub API")
                .WithOpenApiRoutePattern(DocumentPath)
                // No fonts from Scalar's CDN: the page loads nothing from elsewhere (the Content-Security-Policy would block it anyway).
                .DisableDefaultFonts())
            .AllowAnonymous();
    }
}
