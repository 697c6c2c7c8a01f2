namespace ContinuityHub.Domain;

/// <summary>The FHIR Task statuses a referral moves through (contract §5).</summary>
public static class TaskStatuses
{
    public const string Requested = "requested";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string InProgress = "in-progress";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
}
