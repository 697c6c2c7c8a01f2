using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// The bearer token GOV.UK Notify expects on every call: a JWT signed HS256 with the API key's secret, header
/// <c>{"typ":"JWT","alg":"HS256"}</c>, claims <c>iss</c> (the service id) and <c>iat</c> (now, epoch seconds).
/// Notify refuses a token whose <c>iat</c> is more than 30 s from its clock, so one is made for each request.
/// </summary>
public static class NotifyJwt
{
    private static readonly string EncodedHeader = Base64Url.EncodeToString("""{"typ":"JWT","alg":"HS256"}"""u8);

    public static string Create(NotifyApiKey key, DateTimeOffset now)
    {
        var claims = $$"""{"iss":"{{key.ServiceId}}","iat":{{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}}}""";
        var signingInput = $"{EncodedHeader}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims))}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.Secret), Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }
}
