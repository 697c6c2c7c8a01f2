using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace ContinuityHub.Security;

/// <summary>
/// The local HS256 key that signs tokens in development mode. It is created once in the data folder
/// (readable by its owner only) so tokens printed by dev-token stay valid across restarts.
/// </summary>
public static class DevelopmentSigningKey
{
    public const string Issuer = "continuityhub-development";

    public static SymmetricSecurityKey LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "dev-signing-key");
        if (!File.Exists(path))
        {
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(stream);
                writer.Write(fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node created it first: use theirs.
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(path).Trim())) { KeyId = "dev" };
    }
}
