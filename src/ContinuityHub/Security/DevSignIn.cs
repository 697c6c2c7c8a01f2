using System.Security.Claims;
using ContinuityHub.WebUi;

namespace ContinuityHub.Security;

/// <summary>
/// Development mode's sign-in for the web UI (contract §3): a person picks a role and its scope and gets a
/// cookie session with the same claims a token would carry. The page is <c>Pages/Dev/SignIn</c>; outside
/// development mode it answers 404.
/// </summary>
public static class DevSignIn
{
    public const string Path = "/dev/signin";

    /// <summary>The form's fields; all optional to the binder so that missing ones are reported by <see cref="Check"/>.</summary>
    public sealed class Form
    {
        public string? Name { get; set; }
        public string? Role { get; set; }
        public string? Prisons { get; set; }
        public string? Ods { get; set; }
        public string? Pdu { get; set; }
        public string? ReturnUrl { get; set; }
    }

    /// <summary>Only in the Development environment without an identity provider (<see cref="HubAuthMode"/>).</summary>
    public static bool IsAvailable(IServiceProvider services) => services.GetRequiredService<HubAuthMode>().IsDevelopment;

    /// <summary>Every problem with the form, each on the field it is about.</summary>
    public static FormErrors Check(Form form)
    {
        var errors = new FormErrors();
        if (string.IsNullOrWhiteSpace(form.Name)) errors.Add("name", "Enter a name.");
        else if (form.Name.Trim().Length > 100) errors.Add("name", "The name must be 100 characters or fewer.");
        if (form.Role is null || !HubRoles.All.Contains(form.Role)) errors.Add("role", "Choose a role.");
        if (form.Role == HubRoles.PrisonHealthcare && string.IsNullOrWhiteSpace(form.Prisons)) errors.Add("prisons", "A prison healthcare user needs at least one prison code.");
        if (form.Role == HubRoles.TreatmentProvider && string.IsNullOrWhiteSpace(form.Ods)) errors.Add("ods", "A treatment provider user needs an ODS code.");
        if (form.Role == HubRoles.Probation && string.IsNullOrWhiteSpace(form.Pdu)) errors.Add("pdu", "A probation user needs delivery-unit codes (* for all).");
        if (!string.IsNullOrEmpty(form.ReturnUrl) && !LocalPath.IsLocal(form.ReturnUrl)) errors.Add("name", "The page to return to must be a page of this hub.");
        return errors;
    }

    /// <summary>The session's identity: the claims a token for the same person would carry.</summary>
    public static ClaimsPrincipal Principal(Form form)
    {
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
        return new ClaimsPrincipal(new ClaimsIdentity(claims, UiAuthentication.CookieScheme, HubClaims.Name, HubClaims.Roles));
    }

    private static void AddScope(List<Claim> claims, string type, string? values)
    {
        foreach (var value in (values ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            claims.Add(new Claim(type, value));
    }
}
