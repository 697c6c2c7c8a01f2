namespace ContinuityHub.Features.Events;

/// <summary>The event types of contract §4.2 the hub acts on; any other type is recorded and ignored.</summary>
public static class HmppsEventTypes
{
    public const string PrisonerReleased = "prison-offender-events.prisoner.released";
    public const string SearchPrisonerReleased = "prisoner-offender-search.prisoner.released";
    public const string PrisonerReceived = "prison-offender-events.prisoner.received";
    public const string PrisonIdentifierAdded = "probation-case.prison-identifier.added";
    public const string LicenceActivated = "create-and-vary-a-licence.licence.activated";

    public static bool IsRelease(string type) => type is PrisonerReleased or SearchPrisonerReleased;
    public static bool IsIdentifierLink(string type) => type is PrisonIdentifierAdded or LicenceActivated;
    public static bool IsKnown(string type) => IsRelease(type) || IsIdentifierLink(type) || type == PrisonerReceived;
}

/// <summary>What the hub did with an event, stored on the raw event and returned to the feed.</summary>
public static class EventOutcomes
{
    public const string Received = "received";
    public const string Duplicate = "duplicate";
    public const string ReleaseConfirmed = "release-confirmed";
    public const string ReleaseNotToCommunity = "release-not-to-community";
    public const string NoCommunityRelease = "recorded-no-community-release";
    public const string ReturnedToCustody = "excluded-returned-to-custody";
    public const string ReceivedNoOpenEpisode = "recorded-no-episode-in-window";
    public const string ReceivedNotAdmission = "recorded-not-an-admission";
    public const string IdentifiersLinked = "identifiers-linked";
    /// <summary>The event would have relinked a NOMS number to another CRN: recorded as an identity conflict, not applied.</summary>
    public const string IdentityConflict = "identity-conflict";
    public const string Ignored = "recorded-ignored";
    /// <summary>Processing failed; the feed should deliver it again (answered 503 with Retry-After).</summary>
    public const string Failed = "failed-will-retry";
    /// <summary>Processing failed <see cref="HmppsEventService.MaxAttempts"/> times: kept for ADMIN, never tried again (answered 202).</summary>
    public const string Parked = "parked";
}
