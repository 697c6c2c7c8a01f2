using System.Security.Claims;
using ContinuityHub.Security;

namespace ContinuityHub.WebUi;

/// <summary>One link of the header's navigation.</summary>
public sealed record NavItem(string Text, string Href);

/// <summary>
/// Each role's pages: its start page (where sign-in lands, never the outbox) and the links in the header's
/// navigation. A page for a role is added here, nowhere else.
/// </summary>
public static class UiNavigation
{
    public const string Referrals = "/referrals";
    public const string Caseload = "/caseload";
    public const string Releases = "/releases";
    public const string Dashboard = "/dashboard";
    public const string Admin = "/admin";
    public const string Notifications = "/notifications";
    /// <summary>For a role without pages of its own (EVENT_FEED is a machine's role).</summary>
    public const string NoPages = "/";

    /// <summary>The start page first.</summary>
    private static readonly Dictionary<string, NavItem[]> ByRole = new()
    {
        [HubRoles.TreatmentProvider] = [new("Referrals", Referrals), new("Outbound emails", Notifications)],
        [HubRoles.Probation] = [new("Caseload", Caseload), new("Outbound emails", Notifications)],
        [HubRoles.PrisonHealthcare] = [new("Releases", Releases), new("Outbound emails", Notifications)],
        [HubRoles.Commissioner] = [new("Dashboard", Dashboard)],
        [HubRoles.Admin] = [new("Administration", Admin), new("Dashboard", Dashboard), new("Outbound emails", Notifications)],
    };

    /// <summary>Where a person lands after signing in.</summary>
    public static string HomeFor(ClaimsPrincipal user) =>
        HubRoles.All.Where(user.IsInHubRole).Select(role => ByRole.GetValueOrDefault(role)?[0].Href).FirstOrDefault(href => href is not null) ?? NoPages;

    /// <summary>The navigation of every role the person has, each link once.</summary>
    public static IReadOnlyList<NavItem> For(ClaimsPrincipal user) =>
        HubRoles.All.Where(user.IsInHubRole).SelectMany(role => ByRole.GetValueOrDefault(role) ?? []).DistinctBy(item => item.Href).ToList();

    /// <summary>The link for the page being shown (the longest matching path), marked as current.</summary>
    public static bool IsCurrent(NavItem item, PathString path, IReadOnlyList<NavItem> all) =>
        path.StartsWithSegments(item.Href) && !all.Any(other => other.Href.Length > item.Href.Length && path.StartsWithSegments(other.Href));

    public static string RoleName(string role) => role switch
    {
        HubRoles.TreatmentProvider => "Community treatment",
        HubRoles.Probation => "Probation",
        HubRoles.PrisonHealthcare => "Prison healthcare",
        HubRoles.Commissioner => "Commissioner",
        HubRoles.Admin => "Administrator",
        HubRoles.EventFeed => "Event feed",
        _ => role,
    };

    private static bool IsInHubRole(this ClaimsPrincipal user, string role) => user.HasClaim(HubClaims.Roles, role);
}
