using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ContinuityHub.Features.Notifications;

namespace ContinuityHub.Tests.Notify;

/// <summary>The Notify API key, the JWT made from it, and the Hub:Notify settings checked at start-up.</summary>
public sealed class NotifySettingsTests
{
    [Theory]
    [InlineData(NotifyStub.ApiKey)]
    [InlineData($"plain-{NotifyStub.ServiceId}-{NotifyStub.Secret}")]
    [InlineData($"  my_test_key-{NotifyStub.ServiceId}-{NotifyStub.Secret}\n")]
    public void The_service_id_and_secret_are_the_last_two_uuids_of_the_key_whatever_its_name(string apiKey)
    {
        var key = NotifyApiKey.TryParse(apiKey)!;
        Assert.Equal((NotifyStub.ServiceId, NotifyStub.Secret), (key.ServiceId, key.Secret));
        Assert.DoesNotContain(NotifyStub.Secret, key.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-key")]
    [InlineData($"name-{NotifyStub.ServiceId}")]
    [InlineData($"name-{NotifyStub.ServiceId}-3d844edf-8d35-48ac-975b-e847b4f122bX")]
    [InlineData($"name-{NotifyStub.ServiceId}x{NotifyStub.Secret}")]
    public void A_malformed_key_is_not_taken(string apiKey) => Assert.Null(NotifyApiKey.TryParse(apiKey));

    [Fact]
    public void The_JWT_is_HS256_over_the_header_and_the_iss_and_iat_claims_signed_with_the_secret()
    {
        var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var jwt = NotifyJwt.Create(NotifyApiKey.TryParse(NotifyStub.ApiKey)!, now);

        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("""{"typ":"JWT","alg":"HS256"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        Assert.Equal((NotifyStub.ServiceId, now.ToUnixTimeSeconds()), ((string?)claims["iss"], (long)claims["iat"]!));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(NotifyStub.Secret), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        Assert.Equal(expected, Base64Url.DecodeFromChars(parts[2]));
    }

    [Fact]
    public void The_defaults_are_valid_and_mean_Notify_is_not_configured()
    {
        var options = new NotifyOptions();
        Assert.Empty(options.Problems());
        Assert.False(options.Configured);
        Assert.Equal("https://api.notifications.service.gov.uk", options.BaseUrl);
    }

    [Theory]
    [InlineData(0, "must be 1 to 3000")]
    [InlineData(5000, "must be 1 to 3000")]
    [InlineData(1, "is too low for BatchSize")]
    public void A_request_rate_outside_Notifys_limit_or_too_slow_for_a_batch_within_its_lease_is_refused(int perMinute, string problem)
    {
        var options = new NotifyOptions { MaxRequestsPerMinute = perMinute };
        Assert.Equal($"Hub:Notify:MaxRequestsPerMinute {problem}", Assert.Single(options.Problems())[..(32 + problem.Length)]);
    }

    [Fact]
    public void A_template_id_is_found_by_its_key_without_regard_to_case_and_a_missing_one_is_null()
    {
        var options = new NotifyOptions { Templates = new Dictionary<string, string> { ["Reminder"] = NotifyHub.ReminderTemplateId } };
        Assert.Equal(Guid.Parse(NotifyHub.ReminderTemplateId), options.TemplateId("reminder"));
        Assert.Null(options.TemplateId("escalation"));
    }

    [Fact]
    public void Each_bad_setting_is_named_and_the_key_itself_is_never_echoed()
    {
        var options = new NotifyOptions
        {
            BaseUrl = "ftp://notify",
            ApiKey = "secret-but-wrong-shape",
            Templates = { ["reminder"] = "not-a-uuid", ["bad key!"] = NotifyHub.ReminderTemplateId },
            BatchSize = 0,
            Lease = TimeSpan.FromSeconds(5),
            BreakerFailureRatio = 2,
        };

        var problems = options.Problems().ToList();

        Assert.Equal(
            ["Hub:Notify:BaseUrl", "Hub:Notify:ApiKey", "Hub:Notify:Templates:reminder", "Hub:Notify:Templates", "Hub:Notify:BatchSize", "Hub:Notify:Lease", "Hub:Notify:BreakerFailureRatio"],
            problems.Select(p => p.Split(' ')[0]).ToArray());
        Assert.DoesNotContain(problems, p => p.Contains("secret-but-wrong-shape", StringComparison.Ordinal));
    }
}

/// <summary>A bad Hub:Notify setting stops the real hub at start-up with one message naming it.</summary>
public sealed class NotifyStartupTests
{
    [Fact]
    public async Task A_malformed_API_key_stops_the_start_up_with_a_message_naming_the_setting_but_not_the_key()
    {
        await using var hub = new NotifyHub(notify: null, settings: new Dictionary<string, string>
        {
            ["Hub:Notify:ApiKey"] = "live-key-with-a-typo-0000",
            ["Hub:Notify:Templates:reminder"] = "12",
        });

        hub.StartExpectingFailure();

        var failure = Assert.Single(hub.Log.Lines, l => l.Contains("\"HostedServiceStartupFaulted\"", StringComparison.Ordinal));
        var exception = JsonNode.Parse(failure)!["Exception"]!.GetValue<string>();
        Assert.StartsWith("System.InvalidOperationException: The Notify email settings are invalid: Hub:Notify:ApiKey must be a Notify API key", exception);
        Assert.Contains("Hub:Notify:Templates:reminder must be a Notify template id (a UUID).", exception);
        Assert.DoesNotContain("live-key-with-a-typo", hub.Log.All);
    }
}
