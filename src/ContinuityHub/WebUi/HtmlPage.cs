using System.Net;
using Microsoft.AspNetCore.Antiforgery;

namespace ContinuityHub.WebUi;

/// <summary>
/// The frame of every server-rendered page: one small stylesheet, no scripts, no client framework. Callers
/// pass body HTML they built with <see cref="Encode"/> around every value that came from data or a request.
/// </summary>
public static class HtmlPage
{
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Render(string title, string body, string? signedInAs = null) => $$"""
        <!DOCTYPE html>
        <html lang="en-GB">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Encode(title)}} – ContinuityHub</title>
        <style>
          body { font-family: Arial, Helvetica, sans-serif; margin: 0; color: #0b0c0c; background: #fff; }
          header { background: #0b0c0c; color: #fff; padding: 0.75rem 1.5rem; display: flex; justify-content: space-between; align-items: center; }
          header a, header button { color: #fff; }
          main { padding: 1rem 1.5rem 3rem; max-width: 72rem; }
          h1 { font-size: 2rem; margin: 0.5rem 0 1rem; }
          .headline { font-size: 3.5rem; font-weight: bold; margin: 0; }
          .meets { color: #00703c; } .misses { color: #d4351c; }
          .status { font-weight: bold; font-size: 1.25rem; }
          table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
          th, td { border-bottom: 1px solid #b1b4b6; padding: 0.4rem 0.8rem 0.4rem 0; text-align: left; }
          td.n, th.n { text-align: right; }
          caption { text-align: left; padding-bottom: 0.25rem; }
          .problems { border: 4px solid #d4351c; padding: 0.75rem 1rem; margin-bottom: 1rem; }
          label { display: block; font-weight: bold; margin-top: 0.75rem; }
          .hint { color: #505a5f; font-weight: normal; }
          input, select { font-size: 1rem; padding: 0.3rem; min-width: 16rem; }
          button { font-size: 1rem; padding: 0.4rem 1rem; margin-top: 1rem; cursor: pointer; }
          svg text { font-family: Arial, Helvetica, sans-serif; }
          :focus { outline: 3px solid #ffdd00; }
        </style>
        </head>
        <body>
        <header><span><strong>ContinuityHub</strong></span>{{(signedInAs is null ? "" : $"<span>Signed in as {Encode(signedInAs)}</span>")}}</header>
        <main>
        {{body}}
        </main>
        </body>
        </html>
        """;

    public static Task WriteAsync(HttpResponse response, string title, string body, string? signedInAs = null)
    {
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        return response.WriteAsync(Render(title, body, signedInAs));
    }

    /// <summary>A page as an endpoint's result.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Result(string title, string body, string? signedInAs = null,
        int statusCode = StatusCodes.Status200OK) =>
        TypedResults.Content(Render(title, body, signedInAs), "text/html; charset=utf-8", System.Text.Encoding.UTF8, statusCode);

    /// <summary>UI pages show data about people's care: never kept by a shared cache or the browser.</summary>
    public static TBuilder NotCached<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context);
        });

    /// <summary>The hidden anti-forgery field every form that changes something carries.</summary>
    public static string AntiforgeryField(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken)}\">";
    }
}
