using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Features.Events;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Hardening;

/// <summary>
/// An event whose processing fails is tried on each delivery up to <see cref="HmppsEventService.MaxAttempts"/>
/// times (503 with Retry-After), then parked: 202 "parked" from then on, never processed again, and listed
/// for ADMIN with its error.
/// </summary>
public sealed class EventParkingTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task A_failing_event_is_parked_after_three_attempts_and_listed_for_ADMIN_with_its_error()
    {
        var noms = Notifications.NewNomsNumber();
        // A fault only this person's episode meets: the database refuses to store it, as a bug would.
        EventFaults.RefuseEpisodesOf(hub.ConnectionString, noms);
        var feed = hub.ClientFor(HubRoles.EventFeed);
        var release = HmppsEvents.Release(noms, "2026-11-20T10:00:00Z");

        for (var attempt = 1; attempt < HmppsEventService.MaxAttempts; attempt++)
        {
            var failed = await HmppsEvents.PostAsync(feed, release);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.NotNull(failed.Headers.RetryAfter);
        }
        foreach (var _ in new[] { "the last attempt", "a redelivery after parking" })
        {
            var parked = await HmppsEvents.PostAsync(feed, release);
            Assert.Equal(HttpStatusCode.Accepted, parked.StatusCode);
            Assert.Equal(EventOutcomes.Parked, (await HmppsEvents.BodyAsync(parked)).GetProperty("outcome").GetString());
        }

        await using (var db = hub.Db())
        {
            var stored = await db.HmppsEvents.SingleAsync(e => e.NomsNumber == noms);
            Assert.Equal(HmppsEventService.MaxAttempts, stored.Attempts);
            Assert.Equal(EventOutcomes.Parked, stored.Outcome);
            Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
        }

        var list = await hub.ClientFor(HubRoles.Admin).GetFromJsonAsync<JsonElement>("/api/v1/events/parked");
        var listed = list.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("eventType").GetString() == HmppsEvents.Released
            && e.GetProperty("occurredAt").GetDateTimeOffset() == DateTimeOffset.Parse("2026-11-20T10:00:00Z"));
        Assert.Equal(HmppsEventService.MaxAttempts, listed.GetProperty("attempts").GetInt32());
        Assert.Contains("SQLSTATE P0001", listed.GetProperty("error").GetString());
        Assert.DoesNotContain(noms, list.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.ClientFor(HubRoles.EventFeed).GetAsync("/api/v1/events/parked")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await hub.ClientFor(HubRoles.Admin).GetAsync("/api/v1/events/parked?limit=0")).StatusCode);
    }
}
