using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// Keeps docs/screenshots still when the pages did not change. The tests' data is partly random (NOMS numbers, CRNs,
/// ids, anti-forgery tokens), so the pixels of the same page differ from run to run; a screenshot is therefore
/// rewritten only when its page's fingerprint changed: the page's HTML with those values replaced by placeholders,
/// and the stylesheets the pages use. The fingerprint travels inside the PNG, as a tEXt chunk, so no other file is needed.
/// </summary>
public static partial class ScreenshotFile
{
    private const string Keyword = "continuityhub-page";

    /// <summary>What the page shows, without the values that are random in the tests.</summary>
    public static string Fingerprint(string html)
    {
        var stable = AntiForgeryValue().Replace(html, "$1");
        stable = Guid().Replace(stable, "{id}");
        stable = NomsNumber().Replace(stable, "{noms}");
        stable = Crn().Replace(stable, "{crn}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stable + "\n" + StylesHash.Value)));
    }

    /// <summary>Whether the PNG at <paramref name="path"/> exists and was taken of a page with this fingerprint.</summary>
    public static bool Holds(string path, string fingerprint) => File.Exists(path) && ReadFingerprint(File.ReadAllBytes(path)) == fingerprint;

    /// <summary>The PNG with a tEXt chunk carrying the fingerprint, right after its header chunk (IHDR).</summary>
    public static byte[] WithFingerprint(byte[] png, string fingerprint)
    {
        const int afterHeader = 8 + 4 + 4 + 13 + 4; // signature, IHDR's length, type, 13 data bytes, CRC
        var data = Encoding.Latin1.GetBytes(Keyword + "\0" + fingerprint);
        var chunk = new byte[4 + 4 + data.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes("tEXt").CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return [.. png.AsSpan(0, afterHeader), .. chunk, .. png.AsSpan(afterHeader)];
    }

    /// <summary>The fingerprint in a PNG written by <see cref="WithFingerprint"/>, or null.</summary>
    public static string? ReadFingerprint(byte[] png)
    {
        var prefix = Encoding.Latin1.GetBytes("tEXt" + Keyword + "\0");
        var at = png.AsSpan().IndexOf(prefix);
        if (at < 4) return null;
        var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at - 4));
        return Encoding.Latin1.GetString(png, at + prefix.Length, length - (prefix.Length - 4));
    }

    /// <summary>The pages' stylesheets (GOV.UK and MoJ Frontend as built, and the hub's own): a change restyles every page.</summary>
    private static readonly Lazy<string> StylesHash = new(() =>
    {
        var wwwroot = Path.Combine(RepositoryPaths.Root, "src", "ContinuityHub", "wwwroot");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(wwwroot, "*.css", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            hash.AppendData(File.ReadAllBytes(file));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    });

    /// <summary>PNG's CRC-32 (ISO 3309), over a chunk's type and data.</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    [GeneratedRegex("(name=\"__RequestVerificationToken\" type=\"hidden\" value=\")[^\"]*")]
    private static partial Regex AntiForgeryValue();

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"\b[A-Z][0-9]{4}[A-Z]{2}\b")]
    private static partial Regex NomsNumber();

    [GeneratedRegex(@"\b[A-Z][0-9]{6}\b")]
    private static partial Regex Crn();
}
