using System.Security.Claims;
using ContinuityHub.Hosting;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Security;

/// <summary>
/// Development mode's sign-in for the web UI (contract §3): a person picks a role and its scope and gets a
/// cookie session with the same claims a token would carry. Outside development mode (<see cref="HubAuthMode"/>)
/// its path answers 404 to everyone.
/// </summary>
public static class DevSignInEndpoints
{
    public const string Path = "/dev/signin";

    /// <summary>The form's fields; all optional to the binder so that missing ones are reported by <see cref="Problems"/>.</summary>
    public sealed class SignInForm
    {
        public string? Name { get; init; }
        public string? Role { get; init; }
        public string? Prisons { get; init; }
        public string? Ods { get; init; }
        public string? Pdu { get; init; }
        public string? ReturnUrl { get; init; }
    }

    public static void MapUiSignIn(this WebApplication app)
    {
        app.MapPost(UiAuthentication.SignOutPath, (Delegate)SignOutAsync).NotCached();
        if (!app.Services.GetRequiredService<HubAuthMode>().IsDevelopment)
        {
            app.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], () => TypedResults.NotFound()).AllowAnonymous();
            return;
        }
        var signIn = app.MapGroup(Path).AllowAnonymous().NotCached();
        signIn.MapGet("", (HttpContext context, [FromQuery] string? returnUrl) => Form(context, new SignInForm { ReturnUrl = returnUrl }, []));
        signIn.MapPost("", SignInAsync);
    }

    private static async Task<Results<RedirectHttpResult, ContentHttpResult>> SignInAsync(HttpContext context, [FromForm] SignInForm form)
    {
        var problems = Problems(form).ToList();
        if (problems.Count > 0) return Form(context, form, problems, StatusCodes.Status400BadRequest);

        var name = form.Name!.Trim();
        var claims = new List<Claim>
        {
            new(HubClaims.Subject, "dev:" + name),
            new(HubClaims.Name, name),
            new(HubClaims.Roles, form.Role!),
        };
        AddScope(claims, HubClaims.Prisons, form.Prisons);
        AddScope(claims, HubClaims.Ods, form.Ods);
        AddScope(claims, HubClaims.Pdu, form.Pdu);
        var identity = new ClaimsIdentity(claims, UiAuthentication.CookieScheme, HubClaims.Name, HubClaims.Roles);
        await context.SignInAsync(UiAuthentication.CookieScheme, new ClaimsPrincipal(identity));
        return TypedResults.Redirect(IsLocal(form.ReturnUrl) ? form.ReturnUrl! : HomeFor(form.Role!));
    }

    /// <summary>The page a role signs in to: the dashboard for those who may see it, the outbox for the rest.</summary>
    private static string HomeFor(string role) =>
        role is HubRoles.Commissioner or HubRoles.Admin ? Features.Dashboard.DashboardEndpoints.Path : Features.Notifications.NotificationEndpoints.PagePath;

    private static async Task<RedirectHttpResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(UiAuthentication.CookieScheme);
        return TypedResults.Redirect(Path);
    }

    private static IEnumerable<string> Problems(SignInForm form)
    {
        if (string.IsNullOrWhiteSpace(form.Name)) yield return "Enter a name.";
        else if (form.Name.Trim().Length > 100) yield return "The name must be 100 characters or fewer.";
        if (form.Role is null || !HubRoles.All.Contains(form.Role)) yield return "Choose a role.";
        if (form.Role == HubRoles.PrisonHealthcare && string.IsNullOrWhiteSpace(form.Prisons)) yield return "A prison healthcare user needs at least one prison code.";
        if (form.Role == HubRoles.TreatmentProvider && string.IsNullOrWhiteSpace(form.Ods)) yield return "A treatment provider user needs an ODS code.";
        if (form.Role == HubRoles.Probation && string.IsNullOrWhiteSpace(form.Pdu)) yield return "A probation user needs delivery-unit codes (* for all).";
        if (!IsLocal(form.ReturnUrl) && !string.IsNullOrEmpty(form.ReturnUrl)) yield return "The page to return to must be a page of this hub.";
    }

    private static void AddScope(List<Claim> claims, string type, string? values)
    {
        foreach (var value in (values ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            claims.Add(new Claim(type, value));
    }

    /// <summary>Only paths of this site: an open redirect would let a link send a signed-in person anywhere.</summary>
    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    private static ContentHttpResult Form(HttpContext context, SignInForm form, IReadOnlyList<string> problems, int status = StatusCodes.Status200OK)
    {
        var roles = string.Concat(HubRoles.All.Select(role =>
            $"<option value=\"{role}\"{(role == (form.Role ?? HubRoles.Commissioner) ? " selected" : "")}>{role}</option>"));
        var problemList = problems.Count == 0 ? "" :
            $"<div class=\"problems\" role=\"alert\"><h2>There is a problem</h2><ul>{string.Concat(problems.Select(p => $"<li>{HtmlPage.Encode(p)}</li>"))}</ul></div>";
        var body = $"""
            <h1>Sign in (development)</h1>
            <p>Development mode only: pick the role and scope you want to try the hub as.</p>
            {problemList}
            <form method="post" action="{Path}">
              {HtmlPage.AntiforgeryField(context)}
              <input type="hidden" name="returnUrl" value="{HtmlPage.Encode(form.ReturnUrl)}">
              <label for="name">Name</label><input id="name" name="name" value="{HtmlPage.Encode(form.Name)}" autocomplete="name">
              <label for="role">Role</label><select id="role" name="role">{roles}</select>
              <label for="prisons">Prisons <span class="hint">(PRISON_HEALTHCARE; codes, comma-separated, e.g. ONI,WDI)</span></label>
              <input id="prisons" name="prisons" value="{HtmlPage.Encode(form.Prisons)}">
              <label for="ods">ODS code <span class="hint">(TREATMENT_PROVIDER)</span></label><input id="ods" name="ods" value="{HtmlPage.Encode(form.Ods)}">
              <label for="pdu">Delivery units <span class="hint">(PROBATION; comma-separated, * for all)</span></label>
              <input id="pdu" name="pdu" value="{HtmlPage.Encode(form.Pdu)}">
              <div><button type="submit">Sign in</button></div>
            </form>
            """;
        return HtmlPage.Result("Sign in", body, statusCode: status);
    }
}
