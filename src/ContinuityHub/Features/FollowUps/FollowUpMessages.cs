using System.Globalization;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Mappings;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// The emails each §6 checkpoint sends, to staff mailboxes only: the provider's contact email from
/// mappings/, the prison healthcare team's and the probation practitioner's from the episode. Each has the
/// stable reference <c>{episodeId}:{checkpoint}:{recipientRole}</c>, so the outbox queues it at most once
/// however often the follow-up is retried. Personalisation holds identifiers and dates only. Without the
/// person's consent (<see cref="ProviderConsent"/>) the provider is not among the recipients.
/// </summary>
public sealed class FollowUpMessages(ReferenceData mappings)
{
    public static string TemplateKey(string checkpoint) => $"follow-up.{checkpoint}";

    public static string Reference(Guid episodeId, string checkpoint, string recipientRole) => $"{episodeId}:{checkpoint}:{recipientRole}";

    public static IReadOnlyList<string> RecipientsOf(FollowUpCheckpoint checkpoint) => checkpoint switch
    {
        FollowUpCheckpoint.DayBeforeRelease => [RecipientRoles.Provider, RecipientRoles.PrisonTeam],
        FollowUpCheckpoint.Day2Escalation => [RecipientRoles.Provider, RecipientRoles.PrisonTeam, RecipientRoles.Probation],
        FollowUpCheckpoint.Day7Alert or FollowUpCheckpoint.Day14Alert => [RecipientRoles.Probation, RecipientRoles.Provider],
        FollowUpCheckpoint.WindowClose => [RecipientRoles.Probation],
        _ => throw new ArgumentOutOfRangeException(nameof(checkpoint)),
    };

    public IReadOnlyList<OutboundEmail> For(FollowUpCheckpoint checkpoint, Episode episode, Person person, Referral? referral, DateOnly today)
    {
        var code = FollowUpCheckpoints.Code(checkpoint);
        var providerOds = referral?.ProviderOds ?? episode.ProviderOds;
        var personalisation = new Dictionary<string, string>
        {
            ["checkpoint"] = code,
            ["episodeId"] = episode.Id.ToString(),
            ["referralId"] = referral?.Id.ToString() ?? "",
            ["referralStatus"] = referral?.TaskStatus ?? "",
            ["nomsNumber"] = episode.NomsNumber,
            ["crn"] = person.Crn ?? "",
            ["prisonCode"] = episode.PrisonCode ?? "",
            ["providerOds"] = providerOds ?? "",
            ["releaseDate"] = Iso(episode.ReleaseDate),
            ["deadline"] = Iso(CareWindow.Deadline(episode.ReleaseDate)),
            ["daysLeft"] = FollowUpSchedule.DaysLeft(episode.ReleaseDate, today).ToString(CultureInfo.InvariantCulture),
        };
        return RecipientsOf(checkpoint)
            // Nothing about the person reaches the provider without their consent (§6): the provider is left out;
            // the prison team and probation still get theirs.
            .Where(role => role != RecipientRoles.Provider || ProviderConsent.Given(episode))
            .Select(role => new OutboundEmail(Reference(episode.Id, code, role), TemplateKey(code), role,
                AddressOf(role, episode, providerOds), episode.Id, personalisation))
            .ToList();
    }

    private string? AddressOf(string role, Episode episode, string? providerOds) => role switch
    {
        RecipientRoles.Provider => providerOds is null ? null : mappings.Providers.GetValueOrDefault(providerOds)?.ContactEmail,
        RecipientRoles.PrisonTeam => episode.PrisonTeamEmail
                                     ?? (episode.PrisonCode is null ? null : mappings.Prisons.GetValueOrDefault(episode.PrisonCode)?.HealthcareEmail),
        RecipientRoles.Probation => episode.ProbationPractitionerEmail,
        _ => null,
    };

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
