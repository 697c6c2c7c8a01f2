using ContinuityHub.Features.ProviderPush;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Push = ContinuityHub.Features.ProviderPush.ProviderPush;

namespace ContinuityHub.Tests.ProviderPush;

/// <summary>
/// Referrals (health data) go to the provider's reviewed endpoint only (issue 12 item 7): a redirect is a refusal,
/// never followed. (Outside Development the endpoint must be https: Mappings/HubStartupTests.)
/// </summary>
public sealed class ProviderPushTransportTests : IAsyncLifetime
{
    private ProviderStub provider = null!;

    public async Task InitializeAsync() => provider = await ProviderStub.StartAsync();

    public async Task DisposeAsync() => await provider.DisposeAsync();

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task A_provider_answering_with_a_redirect_is_not_followed_and_the_push_is_refused(int status)
    {
        await using var hub = new PushHub(provider);
        provider.Behaviour = ProviderStub.Mode.Redirect;
        provider.RedirectStatus = status;

        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example());

        var push = (await Eventually.WaitForAsync(async () =>
        {
            await using var db = hub.Db();
            return await db.Set<Push>().AsNoTracking().Where(p => p.ReferralId == referralId).ToListAsync();
        }, p => p.Count == 1 && p[0].State == ProviderPushStates.Failed, "the push refused")).Single();
        Assert.Equal($"HTTP {status} redirect not followed", push.LastError);
        Assert.Single(provider.Requests);
        Assert.Empty(provider.RedirectedTo);
    }
}
