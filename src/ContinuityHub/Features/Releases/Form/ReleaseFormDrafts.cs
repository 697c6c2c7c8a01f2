using System.Text.Json;
using ContinuityHub.Data;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Releases.Form;

/// <summary>Starts, finds and saves "Notify a release" drafts, each only for the person who started it.</summary>
public sealed class ReleaseFormDrafts(HubDbContext db, TimeProvider clock)
{
    /// <summary>How long unsent answers are kept after their last change (and a sent draft after sending, for a late double submit).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ReleaseFormDraft> StartAsync(HubUser user, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Abandoned forms hold personal data that was never sent: starting a new one sweeps the expired ones.
        await db.Set<ReleaseFormDraft>().Where(d => d.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        var draft = new ReleaseFormDraft
        {
            Id = Guid.NewGuid(),
            OwnerSubject = user.Subject,
            // Chosen by the hub once per form: sending it twice is a replay of the same notification, never a second one.
            NotificationId = Guid.NewGuid(),
            Answers = JsonSerializer.Serialize(new ReleaseFormAnswers(), Json),
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        db.Add(draft);
        await db.SaveChangesAsync(cancellationToken);
        return draft;
    }

    /// <summary>The caller's own unexpired draft, or null (someone else's draft is as good as absent).</summary>
    public Task<ReleaseFormDraft?> FindAsync(Guid id, HubUser user, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var subject = user.Subject;
        return db.Set<ReleaseFormDraft>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id && d.OwnerSubject == subject && d.ExpiresAt >= now, cancellationToken);
    }

    public static ReleaseFormAnswers AnswersOf(ReleaseFormDraft draft) =>
        JsonSerializer.Deserialize<ReleaseFormAnswers>(draft.Answers, Json) ?? new ReleaseFormAnswers();

    public async Task SaveAsync(ReleaseFormDraft draft, ReleaseFormAnswers answers, CancellationToken cancellationToken)
    {
        draft.Answers = JsonSerializer.Serialize(answers, Json);
        await UpdateAsync(draft, submittedAt: null, cancellationToken);
    }

    /// <summary>Sent: the answers now live in the notification the hub took in, so the draft keeps only its ids.</summary>
    public async Task MarkSentAsync(ReleaseFormDraft draft, CancellationToken cancellationToken)
    {
        draft.Answers = "{}";
        await UpdateAsync(draft, clock.GetUtcNow(), cancellationToken);
    }

    // By id, not through the change tracker: the intake clears the tracker when it retries a repeat.
    private async Task UpdateAsync(ReleaseFormDraft draft, DateTimeOffset? submittedAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        draft.UpdatedAt = now;
        draft.ExpiresAt = now + Lifetime;
        draft.SubmittedAt ??= submittedAt;
        await db.Set<ReleaseFormDraft>().Where(d => d.Id == draft.Id).ExecuteUpdateAsync(set => set
            .SetProperty(d => d.Answers, draft.Answers)
            .SetProperty(d => d.SubmittedAt, draft.SubmittedAt)
            .SetProperty(d => d.UpdatedAt, draft.UpdatedAt)
            .SetProperty(d => d.ExpiresAt, draft.ExpiresAt), cancellationToken);
    }
}
