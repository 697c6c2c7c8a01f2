using static ContinuityHub.Domain.TaskStatuses;

namespace ContinuityHub.Domain;

/// <summary>
/// The closed loop of contract §5 in one table, shared by the JSON conveniences and the FHIR Task update:
/// providers move requested → accepted | rejected, accepted → in-progress (engaged) → completed; the hub
/// sets cancelled (excluded) and failed (window closed, not engaged), and a late engagement dated inside
/// the window moves failed → completed, a late exclusion failed → cancelled (§7).
/// </summary>
public static class ReferralStateMachine
{
    private static readonly Dictionary<string, string[]> ByProvider = new()
    {
        [Requested] = [Accepted, Rejected],
        [Accepted] = [InProgress],
        [InProgress] = [Completed],
    };

    private static readonly Dictionary<string, string[]> ByHub = new()
    {
        [Requested] = [Cancelled, Failed],
        [Accepted] = [Cancelled, Failed],
        [InProgress] = [Cancelled],
        // A late engagement dated inside the window completes; a late exclusion dated inside it cancels (§7).
        [Failed] = [Completed, Cancelled],
    };

    public static bool ProviderMay(string from, string to) => ByProvider.TryGetValue(from, out var next) && next.Contains(to);

    public static bool HubMay(string from, string to) => ByHub.TryGetValue(from, out var next) && next.Contains(to);

    public static bool IsFinished(string status) => status is Rejected or Completed or Cancelled;
}
