namespace ContinuityHub.Tests.DomainCore;

/// <summary>Episodes and referrals as the database would hand them back (not new), for the core's unit tests.</summary>
internal static class DomainFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly ReleaseDate = new(2026, 11, 2);

    public static Episode StoredEpisode(DateOnly? releaseDate = null, string status = EpisodeStatus.Open, string source = ReleaseDateSources.PlannedNotification) => new()
    {
        Id = Guid.CreateVersion7(), PersonId = Guid.CreateVersion7(), NomsNumber = "A1234BC", PrisonCode = "ONI",
        ReleaseDate = releaseDate ?? ReleaseDate, ReleaseDateSource = source, Status = status, NeedKnown = true,
        Substances = ["opiates"], SubstanceGroup = "opiate", InTreatmentInCustody = true, NaloxoneIssued = true, ConsentToShare = true, ProviderOds = "EXS2SN", Version = 3,
        CreatedAt = Now.AddDays(-40), UpdatedAt = Now.AddDays(-40),
    };

    public static Referral StoredReferral(Episode episode, string status = TaskStatuses.Requested) => new()
    {
        Id = Guid.CreateVersion7(), EpisodeId = episode.Id, ProviderOds = "EXS2SN", RequesterPrisonCode = "ONI", TaskStatus = status,
        Version = 5, CreatedAt = Now.AddDays(-40), UpdatedAt = Now.AddDays(-40),
    };

    public static NotificationDetails Details(bool released = false, string[]? substances = null, bool consent = true, string? provider = "EXS2SN",
        string? prisonTeamEmail = null, string prison = "ONI") => new(
        prison, "licence", released, "NN17 1AA", null, false, "E06000061", provider,
        substances ?? ["opiates"], "opiate", true, null, null, null, null, true, consent,
        prisonTeamEmail, null, null, null);
}
