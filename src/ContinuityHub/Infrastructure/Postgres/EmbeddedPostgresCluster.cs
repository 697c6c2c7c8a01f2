using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ContinuityHub.Infrastructure.Postgres;

/// <summary>
/// A private PostgreSQL cluster in a folder of the hub's, run with the machine's server binaries.
/// Used when no connection string is configured (contract §2) and by the tests. It is not a fake: it is
/// a real PostgreSQL server, only owned and started by this process.
/// </summary>
public sealed class EmbeddedPostgresCluster : IDisposable
{
    private const string SuperUser = "hub";
    private readonly string _binDirectory;
    private readonly string _clusterDirectory;
    private readonly string _passwordFile;
    private readonly bool _runAsPostgresUser;
    private bool _startedByUs;

    public string Password { get; }
    public int Port { get; private set; }
    public string ClusterDirectory => _clusterDirectory;

    /// <summary>Where the cluster's files go when the postgres OS user cannot reach the hub's data folder.</summary>
    public const string ReachableRoot = "/var/lib/continuityhub/embedded";

    private EmbeddedPostgresCluster(string binDirectory, string rootDirectory)
    {
        _binDirectory = binDirectory;
        _passwordFile = Path.Combine(rootDirectory, "pg.password");
        _runAsPostgresUser = Environment.UserName == "root" || Environment.IsPrivilegedProcess;
        _clusterDirectory = ChooseClusterDirectory(rootDirectory, _runAsPostgresUser);
        Password = LoadOrCreatePassword(_passwordFile);
    }

    /// <summary>
    /// The cluster lives in the data folder (<c>pg/</c>) unless the server, run as the postgres OS user, could not
    /// reach it — root's home, or a clone in a <c>mktemp -d</c> folder (mode 0700). Then it lives in a folder of its
    /// own under <see cref="ReachableRoot"/>, named in the data folder's <c>pg.location</c>, so the next start finds
    /// the same data and a data folder made afresh gets a fresh cluster (never one initialised with another password).
    /// </summary>
    private static string ChooseClusterDirectory(string rootDirectory, bool runAsPostgresUser)
    {
        var inDataFolder = Path.Combine(rootDirectory, "pg");
        var pointer = Path.Combine(rootDirectory, "pg.location");
        if (File.Exists(pointer)) return File.ReadAllText(pointer).Trim();
        if (!runAsPostgresUser || File.Exists(Path.Combine(inDataFolder, "PG_VERSION")) || PostgresUserCanReach(rootDirectory)) return inDataFolder;
        var relocated = Path.Combine(ReachableRoot, Guid.NewGuid().ToString("N"), "pg");
        Directory.CreateDirectory(Path.GetDirectoryName(relocated)!);
        OwnerOnlyFile.CreateNew(pointer, relocated);
        return relocated;
    }

    private static bool PostgresUserCanReach(string directory) =>
        Run("runuser", ["-u", "postgres", "--", "test", "-x", directory], check: false).Code == 0;

    /// <summary>Finds the server binaries, initialises the cluster if it is new and starts it.</summary>
    /// <exception cref="EmbeddedPostgresUnavailableException">no binaries, or the folder is unusable.</exception>
    public static EmbeddedPostgresCluster Start(string rootDirectory, string installRoot = DefaultInstallRoot)
    {
        var bin = FindServerBinaries(installRoot)
            ?? throw new EmbeddedPostgresUnavailableException(
                "No PostgreSQL server binaries found (looked for initdb and pg_ctl on PATH and in /usr/lib/postgresql/*/bin). " +
                "Install them (Debian/Ubuntu: apt-get install postgresql) or set ConnectionStrings__Hub to an existing server.");
        Directory.CreateDirectory(rootDirectory);
        var cluster = new EmbeddedPostgresCluster(bin, Path.GetFullPath(rootDirectory));
        cluster.InitialiseIfNew();
        cluster.StartServer();
        return cluster;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={SuperUser};Password={Password};" +
        "Include Error Detail=false;Maximum Pool Size=50";

    /// <summary>Where Debian and Ubuntu install PostgreSQL server binaries, one folder a major version.</summary>
    public const string DefaultInstallRoot = "/usr/lib/postgresql";

    /// <summary>The folder holding initdb and pg_ctl: on PATH, else the newest version under <paramref name="installRoot"/>.</summary>
    public static string? FindServerBinaries(string installRoot = DefaultInstallRoot)
    {
        var candidates = new List<string>();
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        candidates.AddRange(path.Split(':', StringSplitOptions.RemoveEmptyEntries));
        if (Directory.Exists(installRoot))
        {
            // Newest major version first.
            candidates.AddRange(Directory.GetDirectories(installRoot)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static string LoadOrCreatePassword(string file)
    {
        if (File.Exists(file)) return File.ReadAllText(file).Trim();
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        OwnerOnlyFile.CreateNew(file, password);
        return password;
    }

    private void InitialiseIfNew()
    {
        if (File.Exists(Path.Combine(_clusterDirectory, "PG_VERSION"))) return;
        Directory.CreateDirectory(_clusterDirectory);
        // initdb reads the password from a file the server's OS user can read; it is removed straight after.
        var tempPasswordFile = Path.Combine(_clusterDirectory, "..", $".initdb-{Guid.NewGuid():N}");
        OwnerOnlyFile.CreateNew(tempPasswordFile, Password);
        try
        {
            if (_runAsPostgresUser)
            {
                EnsureTraversableByPostgres(_clusterDirectory);
                RunChecked("chown", ["-R", "postgres", _clusterDirectory, tempPasswordFile]);
            }
            RunPostgresTool("initdb", ["-D", _clusterDirectory, "-U", SuperUser, "--auth=scram-sha-256",
                $"--pwfile={tempPasswordFile}", "--encoding=UTF8", "--locale=C.UTF-8"]);
        }
        finally
        {
            File.Delete(tempPasswordFile);
        }
        // The hub's cluster is private: it listens on loopback only and keeps its socket in its own folder.
        File.AppendAllText(Path.Combine(_clusterDirectory, "postgresql.conf"),
            "\n# ContinuityHub embedded cluster\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n" +
            "max_connections = 200\nshared_buffers = 256MB\nfsync = on\nsynchronous_commit = on\n");
    }

    private void StartServer()
    {
        var running = ReadRunningPort();
        if (running is not null)
        {
            // A cluster left running (the hub was killed) or started by another node on this folder: reuse it.
            Port = running.Value;
            return;
        }
        Port = FreeLoopbackPort();
        var logFile = Path.Combine(_clusterDirectory, "server.log");
        RunPostgresTool("pg_ctl", ["-D", _clusterDirectory, "-l", logFile, "-w", "-t", "60", "-o", $"-p {Port}", "start"]);
        _startedByUs = true;
    }

    private int? ReadRunningPort()
    {
        var pidFile = Path.Combine(_clusterDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var (code, _) = RunPostgresTool("pg_ctl", ["-D", _clusterDirectory, "status"], check: false);
        if (code != 0) return null;
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    public void Stop()
    {
        if (!_startedByUs) return;
        RunPostgresTool("pg_ctl", ["-D", _clusterDirectory, "-m", "fast", "-w", "stop"], check: false);
        _startedByUs = false;
    }

    public void Dispose() => Stop();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void EnsureTraversableByPostgres(string directory)
    {
        if (!PostgresUserCanReach(Path.GetDirectoryName(directory)!))
        {
            throw new EmbeddedPostgresUnavailableException(
                $"The embedded PostgreSQL runs as the 'postgres' OS user, which cannot reach the folder {Path.GetDirectoryName(directory)}. " +
                "Set Hub__DataDirectory to a folder it can reach (for example /var/lib/continuityhub) or set ConnectionStrings__Hub.");
        }
    }

    private (int Code, string Output) RunPostgresTool(string tool, IReadOnlyList<string> arguments, bool check = true)
    {
        var executable = Path.Combine(_binDirectory, tool);
        return _runAsPostgresUser
            ? Run("runuser", ["-u", "postgres", "--", executable, .. arguments], check)
            : Run(executable, arguments, check);
    }

    private static void RunChecked(string file, IReadOnlyList<string> arguments) => Run(file, arguments, check: true);

    private static (int Code, string Output) Run(string file, IReadOnlyList<string> arguments, bool check)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server must not inherit the working folder of a process the postgres user cannot read.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo)
            ?? throw new EmbeddedPostgresUnavailableException($"Could not start {file}.");
        // pg_ctl start leaves the server holding stdout open; read to completion asynchronously so we never block on it.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new EmbeddedPostgresUnavailableException($"{Path.GetFileName(file)} did not finish within 120 s.");
        }
        var output = (stdout.Wait(TimeSpan.FromSeconds(2)) ? stdout.Result : "") + (stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result : "");
        if (check && process.ExitCode != 0)
        {
            throw new EmbeddedPostgresUnavailableException(
                $"{Path.GetFileName(file)} {string.Join(' ', arguments.Take(3))} failed (exit {process.ExitCode}): {output.Trim()}");
        }
        return (process.ExitCode, output);
    }
}

public sealed class EmbeddedPostgresUnavailableException(string message) : Exception(message);
