using ContinuityHub.Data;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.Notify;

/// <summary>
/// The outbox the follow-up engine queues emails through: a row commits with the caller's transaction or not
/// at all, and a reference is queued once however often it is enqueued.
/// </summary>
public sealed class NotificationOutboxTests
{
    internal static OutboundEmail Email(Guid episodeId, string reference, string? address = "team@example.nhs.uk", string templateKey = "reminder") =>
        new(reference, templateKey, RecipientRoles.Provider, address, episodeId, new Dictionary<string, string> { ["episode"] = episodeId.ToString(), ["days_left"] = "7" });

    internal static async Task EnqueueAsync(HubFactory hub, params OutboundEmail[] emails)
    {
        await using var scope = hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<INotificationOutbox>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        foreach (var email in emails) outbox.Enqueue(email);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    internal static async Task<List<QueuedEmail>> RowsAsync(HubFactory hub, Guid episodeId)
    {
        await using var db = hub.Db();
        return await db.Set<QueuedEmail>().AsNoTracking().Where(e => e.EpisodeId == episodeId).OrderBy(e => e.Reference).ToListAsync();
    }

    [Fact]
    public async Task The_same_reference_enqueued_twice_in_one_unit_of_work_or_in_two_is_one_row()
    {
        await using var hub = new HubFactory();
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:release-minus-1:provider";

        await EnqueueAsync(hub, Email(episodeId, reference), Email(episodeId, reference));
        await EnqueueAsync(hub, Email(episodeId, reference));

        var row = Assert.Single(await RowsAsync(hub, episodeId));
        Assert.Equal((reference, "reminder", RecipientRoles.Provider, "team@example.nhs.uk", QueuedEmailStates.Pending, 0),
            (row.Reference, row.TemplateKey, row.RecipientRole, row.EmailAddress, row.State, row.Attempts));
        Assert.Equal(hub.Clock.GetUtcNow(), row.CreatedAt);
        Assert.Contains("\"days_left\": \"7\"", row.Personalisation);
    }

    [Fact]
    public async Task A_row_is_saved_with_the_callers_transaction_and_not_when_it_rolls_back()
    {
        await using var hub = new HubFactory();
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());

        await using (var scope = hub.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            scope.ServiceProvider.GetRequiredService<INotificationOutbox>().Enqueue(Email(episodeId, "rolled-back"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        Assert.Empty(await RowsAsync(hub, episodeId));

        await EnqueueAsync(hub, Email(episodeId, "kept"));
        Assert.Equal(["kept"], (await RowsAsync(hub, episodeId)).Select(r => r.Reference).ToArray());
    }

    [Fact]
    public async Task A_message_with_no_address_is_kept_visible_as_undeliverable()
    {
        await using var hub = new HubFactory();
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());

        await EnqueueAsync(hub, Email(episodeId, "no-address", address: null));

        var row = Assert.Single(await RowsAsync(hub, episodeId));
        Assert.Equal((QueuedEmailStates.Undeliverable, NotificationErrors.NoEmailAddress), (row.State, row.LastError));
    }
}
