using ContinuityHub.Security;
using Hangfire;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// The Hangfire Dashboard at <c>/admin/jobs</c>: the recurring follow-up sweep, each run with what it did, its
/// retries and failures, and the servers. For ADMIN only, through the web UI's cookie sign-in (the path is a UI
/// path, see <see cref="UiAuthentication"/>): not signed in → the sign-in page, any other role → 403. Hangfire's
/// own authorization filters are replaced by the hub's endpoint authorization.
/// </summary>
public static class FollowUpDashboard
{
    public const string Path = "/admin/jobs";

    public static void MapFollowUpDashboard(this IEndpointRouteBuilder app) =>
        app.MapHangfireDashboardWithNoAuthorizationFilters(Path, new DashboardOptions
            {
                DashboardTitle = "ContinuityHub jobs",
                AppPath = "/dashboard",
                // Host, database and schema are not for the page.
                DisplayStorageConnectionString = false,
            })
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Admin));
}
