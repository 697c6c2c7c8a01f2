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

    private static void Configure(JwtBearerOptions jwt, HubOptions options, HubAuthMode mode)
    {
        jwt.MapInboundClaims = false;
        // A challenge's or a refusal's empty 401/403 gets its body from the status-code pages: problem+json, or an
        // OperationOutcome under /fhir (Features/Fhir/FhirProblemWriter).
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
