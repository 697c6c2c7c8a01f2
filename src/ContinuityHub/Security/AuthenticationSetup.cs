using ContinuityHub.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ContinuityHub.Security;

public static class AuthenticationSetup
{
    /// <summary>
    /// JWT bearer on every endpoint (the fallback policy): a local key in the Development environment, OIDC
    /// discovery and JWKS otherwise (<see cref="HubAuthMode"/>). Configured from the final HubOptions and
    /// environment, so every configuration source (tests included) applies.
    /// </summary>
    public static void AddHubAuthentication(this WebApplicationBuilder builder)
    {
        HubAuthMode.AddHubAuthMode(builder.Services);
        builder.Services.AddAuthentication(UiAuthentication.HubScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<HubOptions>, HubAuthMode>((jwt, hubOptions, mode) => Configure(jwt, hubOptions.Value, mode));
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.AddUiSignIn();
    }

    private static Task WriteOutcome(HttpResponse response, string code, string diagnostics)
    {
        response.ContentType = "application/fhir+json; charset=utf-8";
        return response.WriteAsync(Fhir.FhirJson.Serialize(Fhir.OperationOutcome.Error(code, diagnostics)));
    }

    private static void Configure(JwtBearerOptions jwt, HubOptions options, HubAuthMode mode)
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
        if (mode.IsDevelopment)
        {
            jwt.TokenValidationParameters.ValidIssuer = DevelopmentSigningKey.Issuer;
            jwt.TokenValidationParameters.IssuerSigningKey = DevelopmentSigningKey.LoadOrCreate(options.ResolvedDataDirectory);
        }
        else
        {
            jwt.Authority = options.Auth.Authority;
            jwt.RequireHttpsMetadata = options.Auth.RequireHttpsMetadata;
        }
    }
}
