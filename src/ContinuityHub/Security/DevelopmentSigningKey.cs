using System.Security.Cryptography;
using ContinuityHub.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace ContinuityHub.Security;

/// <summary>
/// The local HS256 key that signs tokens in the Development environment (never elsewhere: <see cref="HubAuthMode"/>).
/// It is created once in the data folder, owner-only from the moment the file exists, so tokens printed by
/// dev-token stay valid across restarts.
/// </summary>
public static class DevelopmentSigningKey
{
    public const string Issuer = "continuityhub-development";
    public const string FileName = "dev-signing-key";

    public static SymmetricSecurityKey LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            try
            {
                OwnerOnlyFile.CreateNew(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node created it first: use theirs.
            }
        }
        // A node that lost the race may read the file between its creation and its content: wait for the content.
        var text = File.ReadAllText(path).Trim();
        for (var attempt = 0; text.Length == 0 && attempt < 20; attempt++)
        {
            Thread.Sleep(50);
            text = File.ReadAllText(path).Trim();
        }
        return new SymmetricSecurityKey(Convert.FromBase64String(text)) { KeyId = "dev" };
    }
}
