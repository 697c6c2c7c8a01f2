namespace ContinuityHub.WebUi;

/// <summary>
/// Whether a return address is a page of this site. Anything else would be an open redirect: a link could
/// send a person who just signed in to a look-alike site. Browsers drop tabs and new lines from addresses and
/// read "\" as "/", so "/\t/evil.example" and "/\evil.example" are other sites; percent-encoded forms of those
/// are refused too.
/// </summary>
public static class LocalPath
{
    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 2000) return false;
        foreach (var candidate in new[] { url, Uri.UnescapeDataString(url) })
        {
            if (candidate[0] != '/') return false;
            if (candidate.Length > 1 && (candidate[1] == '/' || candidate[1] == '\\')) return false;
            if (candidate.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\')) return false;
        }
        return true;
    }
}
