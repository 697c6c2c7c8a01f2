using ContinuityHub.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ContinuityHub.Security;

public static class AuthenticationSetup
{
    public const string Development = "development";
    public const string Oidc = "oidc";

    /// <summary>
    /// JWT bearer on every endpoint (the fallback policy): a local key in development mode, OIDC discovery
    /// and JWKS otherwise. Configured from the final HubOptions, so every configuration source applies.
    /// </summary>
    public static void AddHubAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(UiAuthentication.HubScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<HubOptions>>((jwt, hubOptions) => Configure(jwt, hubOptions.Value));
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.AddUiSignIn();
    }

    private static Task WriteOutcome(HttpResponse response, string code, string diagnostics)
    {
        response.ContentType = "application/fhir+json; charset=utf-8";
        return response.WriteAsync(Fhir.FhirJson.Serialize(Fhir.OperationOutcome.Error(code, diagnostics)));
    }

    private static void Configure(JwtBearerOptions jwt, HubOptions options)
    {
        jwt.MapInboundClaims = false;
        jwt.Events = new JwtBearerEvents
        {
            // FHIR clients expect an OperationOutcome for every refusal, 401 included (the /fhir endpoints' own
            // 403s and 404s are written as OperationOutcome where they are decided).
            OnChallenge = async context =>
            {
                if (!context.Request.Path.StartsWithSegments("/fhir")) return;
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await WriteOutcome(context.Response, "login", "A valid bearer token is required.");
            },
        };
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = options.Auth.Audience,
            NameClaimType = HubClaims.Name,
            RoleClaimType = HubClaims.Roles,
            ClockSkew = TimeSpan.FromMinutes(1),
        };
        switch (options.Auth.Mode ?? Oidc)
        {
            case Development:
                jwt.TokenValidationParameters.ValidIssuer = DevelopmentSigningKey.Issuer;
                jwt.TokenValidationParameters.IssuerSigningKey = DevelopmentSigningKey.LoadOrCreate(options.ResolvedDataDirectory);
                break;
            case Oidc:
                jwt.Authority = options.Auth.Authority
                    ?? throw new InvalidOperationException("Hub:Auth:Authority must be set in oidc mode (or set Hub:Auth:Mode=development for a local, non-production hub).");
                jwt.RequireHttpsMetadata = options.Auth.RequireHttpsMetadata;
                break;
            default:
                throw new InvalidOperationException($"Hub:Auth:Mode '{options.Auth.Mode}' is not 'development' or 'oidc'.");
        }
    }
}
