using ContinuityHub.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace ContinuityHub.Security;

public static class AuthenticationSetup
{
    public const string Development = "development";
    public const string Oidc = "oidc";

    /// <summary>JWT bearer for every endpoint: a local key in development mode, OIDC discovery otherwise.</summary>
    public static void AddHubAuthentication(this WebApplicationBuilder builder, HubOptions options)
    {
        var mode = options.Auth.Mode ?? Oidc;
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAudience = options.Auth.Audience,
                NameClaimType = HubClaims.Name,
                RoleClaimType = HubClaims.Roles,
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            if (mode == Development)
            {
                jwt.TokenValidationParameters.ValidIssuer = DevelopmentSigningKey.Issuer;
                jwt.TokenValidationParameters.IssuerSigningKey = DevelopmentSigningKey.LoadOrCreate(options.ResolvedDataDirectory);
            }
            else if (mode == Oidc)
            {
                jwt.Authority = options.Auth.Authority
                    ?? throw new InvalidOperationException("Hub:Auth:Authority must be set in oidc mode (or set Hub:Auth:Mode=development for a local, non-production hub).");
                jwt.RequireHttpsMetadata = options.Auth.RequireHttpsMetadata;
            }
            else
            {
                throw new InvalidOperationException($"Hub:Auth:Mode '{mode}' is not 'development' or 'oidc'.");
            }
        });
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    }
}
