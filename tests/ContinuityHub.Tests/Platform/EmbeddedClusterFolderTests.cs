using ContinuityHub.Infrastructure.Postgres;
using Npgsql;

namespace ContinuityHub.Tests.Platform;

/// <summary>
/// Run as root, the embedded PostgreSQL runs as the postgres OS user. A data folder that user cannot reach — a
/// clone in a <c>mktemp -d</c> folder (mode 0700), root's home — must still give a working hub: the cluster's files go
/// under <see cref="EmbeddedPostgresCluster.ReachableRoot"/>, and the next start finds the same data.
/// </summary>
public sealed class EmbeddedClusterFolderTests : IDisposable
{
    private readonly string _private = Path.Combine(Path.GetTempPath(), $"hub-private-{Guid.NewGuid():N}");
    private string? _relocated;

    [Fact]
    public void A_data_folder_the_postgres_user_cannot_reach_still_gets_a_cluster_that_keeps_its_data()
    {
        // Only a privileged process runs the server as another user; as anyone else the folder is always reachable.
        if (!Environment.IsPrivilegedProcess || OperatingSystem.IsWindows()) return;
        Directory.CreateDirectory(_private);
        File.SetUnixFileMode(_private, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var dataFolder = Path.Combine(_private, "fresh", ".hub-data");

        using (var first = EmbeddedPostgresCluster.Start(dataFolder))
        {
            _relocated = first.ClusterDirectory;
            Assert.StartsWith(EmbeddedPostgresCluster.ReachableRoot + "/", first.ClusterDirectory);
            Execute(first.ConnectionString("postgres"), "CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)");
        }

        using var second = EmbeddedPostgresCluster.Start(dataFolder);
        Assert.Equal(_relocated, second.ClusterDirectory);
        Assert.Equal(7, Execute(second.ConnectionString("postgres"), "SELECT id FROM kept"));
    }

    private static object? Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        var result = command.ExecuteScalar();
        NpgsqlConnection.ClearPool(connection);
        return result;
    }

    public void Dispose()
    {
        if (Directory.Exists(_private)) Directory.Delete(_private, recursive: true);
        if (_relocated is not null && Directory.Exists(Path.GetDirectoryName(_relocated))) Directory.Delete(Path.GetDirectoryName(_relocated)!, recursive: true);
    }
}
