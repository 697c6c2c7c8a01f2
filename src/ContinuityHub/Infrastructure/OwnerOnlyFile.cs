namespace ContinuityHub.Infrastructure;

/// <summary>
/// Secrets on disk (the development signing key, the embedded cluster's password): created with mode 0600 by the
/// open call itself, so there is no moment when another user could read them (writing first and narrowing the
/// mode afterwards leaves the umask's mode, typically 0644, for a while).
/// </summary>
public static class OwnerOnlyFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> holding <paramref name="content"/>; fails (IOException) if it exists.</summary>
    public static void CreateNew(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Mode;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
