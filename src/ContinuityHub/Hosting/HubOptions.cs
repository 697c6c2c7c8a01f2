namespace ContinuityHub.Hosting;

/// <summary>The hub's own settings (section "Hub"; environment variables Hub__…).</summary>
public sealed class HubOptions
{
    public const string Section = "Hub";

    /// <summary>Where the embedded PostgreSQL cluster and the development signing key live.</summary>
    public string DataDirectory { get; set; } = ".hub-data";

    /// <summary>The reviewed reference data (prisons, areas, providers, ConceptMaps).</summary>
    public string MappingsDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "mappings");

    public AuthOptions Auth { get; set; } = new();

    /// <summary>The reverse proxies whose X-Forwarded-* headers are believed (<see cref="ForwardedHeadersSetup"/>).</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>Pushing referrals to providers' FHIR endpoints (contract §5).</summary>
    public Features.ProviderPush.ProviderPushOptions ProviderPush { get; set; } = new();

    /// <summary>The 21-day follow-up engine (contract §6, issue #4).</summary>
    public Features.FollowUps.FollowUpOptions FollowUps { get; set; } = new();

    /// <summary>Where to look for PostgreSQL server binaries (one folder a version) when they are not on PATH.</summary>
    public string PostgresInstallRoot { get; set; } = Infrastructure.Postgres.EmbeddedPostgresCluster.DefaultInstallRoot;

    public HubLoggingOptions Logging { get; set; } = new();

    /// <summary>The notification intake's group commit (<see cref="Features.Releases.IntakeGroupCommit"/>).</summary>
    public Features.Releases.IntakeOptions Intake { get; set; } = new();

    /// <summary>Largest single release notification accepted (contract §4.1: 256 KiB).</summary>
    public int MaxNotificationBytes { get; set; } = 256 * 1024;

    /// <summary>Largest batch upload accepted.</summary>
    public int MaxBatchBytes { get; set; } = 16 * 1024 * 1024;

    public string ResolvedDataDirectory => Path.GetFullPath(DataDirectory);
}

public sealed class AuthOptions
{
    /// <summary>
    /// OIDC issuer whose discovery document and JWKS validate tokens. Required outside the Development environment,
    /// where without it the local signing key is used instead (<see cref="Security.HubAuthMode"/>).
    /// </summary>
    public string? Authority { get; set; }
    public string Audience { get; set; } = "continuityhub";
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>
    /// The web UI's client id at the issuer (oidc mode). Set, the UI signs people in with the authorization-code
    /// flow (PKCE) against <see cref="Authority"/>; unset, the UI has no sign-in outside development mode.
    /// </summary>
    public string? UiClientId { get; set; }
    /// <summary>The UI client's secret, when the issuer registers it as a confidential client.</summary>
    public string? UiClientSecret { get; set; }
}

public sealed class HubLoggingOptions
{
    /// <summary>Compact JSON, one object a line (Serilog.Formatting.Compact); the container image sets it. Off: readable text.</summary>
    public bool Json { get; set; }
}
