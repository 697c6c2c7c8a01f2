using System.Security.Claims;
using ContinuityHub.Features.Referrals;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.Referrals;

/// <summary>
/// The provider's inbox order (issue #11 item 2), on a database of its own: new referrals first; then the windows
/// still open by days left, fewest first; then the closed windows, most recently closed first — never a window
/// that closed weeks ago above one with days left. The test clock is 22 November 2026.
/// </summary>
public sealed class ReferralInboxOrderTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private static readonly HubUser Provider = new(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(HubClaims.Subject, "inbox-test"), new Claim(HubClaims.Roles, HubRoles.TreatmentProvider), new Claim(HubClaims.Ods, "EXS2SN")], "test")));

    private async Task<Guid> ReferralAsync(string releaseDate, string status)
    {
        var release = DateOnly.Parse(releaseDate);
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example(releaseDate: releaseDate,
            status: release <= new DateOnly(2026, 11, 22) ? "released" : "planned"));
        await using var db = hub.Db();
        // Set straight in the database: the state machine's own tests cover how a referral gets there.
        await db.Referrals.Where(r => r.Id == referralId).ExecuteUpdateAsync(r => r.SetProperty(x => x.TaskStatus, status));
        return referralId;
    }

    [Fact]
    public async Task New_referrals_come_first_then_open_windows_by_days_left_then_closed_windows_most_recent_first()
    {
        var closedLongAgo = await ReferralAsync("2026-10-01", TaskStatuses.Accepted);       // closed 31 days ago
        var acceptedFourteenLeft = await ReferralAsync("2026-11-15", TaskStatuses.Accepted);
        var newNineteenLeft = await ReferralAsync("2026-11-20", TaskStatuses.Requested);
        var closedRecently = await ReferralAsync("2026-10-20", TaskStatuses.Failed);         // closed 12 days ago
        var newPlanned = await ReferralAsync("2026-12-05", TaskStatuses.Requested);          // release ahead: 34 days left
        var acceptedNineLeft = await ReferralAsync("2026-11-10", TaskStatuses.InProgress);
        var newFourLeft = await ReferralAsync("2026-11-05", TaskStatuses.Requested);
        var closedToday = await ReferralAsync("2026-10-31", TaskStatuses.Accepted);          // day 22: closed last night

        using var scope = hub.Services.CreateScope();
        var inbox = scope.ServiceProvider.GetRequiredService<ReferralInbox>();
        var (filter, problems) = InboxFilter.Parse(InboxFilter.AnyState, null, null, null, ["ONI"]);
        Assert.Empty(problems);
        var page = await inbox.ListAsync(Provider, filter!, CancellationToken.None);

        Assert.Equal([newFourLeft, newNineteenLeft, newPlanned, acceptedNineLeft, acceptedFourteenLeft, closedToday, closedRecently, closedLongAgo],
            page.Rows.Select(r => r.ReferralId).ToList());
        Assert.Equal([4, 19, 34, 9, 14, -1, -12, -31], page.Rows.Select(r => r.DaysLeft).ToList());
    }
}
