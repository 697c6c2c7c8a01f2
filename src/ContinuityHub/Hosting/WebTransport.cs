using ContinuityHub.Security;

namespace ContinuityHub.Hosting;

/// <summary>The HTTP front of the hub: the public scheme and host behind a proxy, HSTS, the security headers.</summary>
public static class WebTransport
{
    public static void AddWebTransport(this WebApplicationBuilder builder)
    {
        builder.AddForwardedHeaders();
        // A year: browsers that once reached the hub over https never try plain http again.
        builder.Services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
    }

    /// <summary>First in the pipeline, so every later piece (and every answer) sees the public request.</summary>
    public static void UseWebTransport(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        // Outside Development only: HSTS on http://127.0.0.1 would bind the developer's browser to https for a year.
        // (The header is sent on https requests only, which behind a proxy means X-Forwarded-Proto: https.)
        if (!app.Environment.IsDevelopment()) app.UseHsts();
    }
}
