namespace ContinuityHub.Domain;

/// <summary>Who a release notification says the person is; null for what it does not state.</summary>
public sealed record PersonIdentity(string? GivenName, string? FamilyName, DateOnly? DateOfBirth, string? Gender,
    string? NhsNumber, string? Crn, string? PncNumber);

/// <summary>
/// A person the hub knows, by NOMS number. Personal data lives only here (and in the stored raw payloads); everything
/// else refers to people by id so that job data, logs and reports never need to carry it. Changed only through its
/// methods (a test holds every other code to reading it).
/// </summary>
public sealed class Person
{
    public Guid Id { get; set; }
    public required string NomsNumber { get; set; }
    public string? Crn { get; set; }
    public string? NhsNumber { get; set; }
    public string? PncNumber { get; set; }
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public string? Gender { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public static Person New(string nomsNumber, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(), NomsNumber = nomsNumber, CreatedAt = now, UpdatedAt = now };

    /// <summary>The latest notification wins for what it states; it never erases an identifier it does not mention.</summary>
    public void TakeIdentity(PersonIdentity identity, DateTimeOffset now)
    {
        GivenName = identity.GivenName;
        FamilyName = identity.FamilyName;
        DateOfBirth = identity.DateOfBirth;
        Gender = identity.Gender ?? Gender;
        NhsNumber = identity.NhsNumber ?? NhsNumber;
        Crn = identity.Crn ?? Crn;
        PncNumber = identity.PncNumber ?? PncNumber;
        UpdatedAt = now;
    }

    /// <summary>
    /// A person outside the sender's scope whose identity agreed: the message may add what the hub does not hold,
    /// never change what it does.
    /// </summary>
    public void FillBlanks(PersonIdentity identity, DateTimeOffset now)
    {
        GivenName ??= identity.GivenName;
        FamilyName ??= identity.FamilyName;
        DateOfBirth ??= identity.DateOfBirth;
        Gender ??= identity.Gender;
        NhsNumber ??= identity.NhsNumber;
        Crn ??= identity.Crn;
        PncNumber ??= identity.PncNumber;
        UpdatedAt = now;
    }

    /// <summary>Links a CRN to a person the hub holds without one (an HMPPS identifier event).</summary>
    public void LinkCrn(string? crn, DateTimeOffset now)
    {
        Crn = crn;
        UpdatedAt = now;
    }
}
