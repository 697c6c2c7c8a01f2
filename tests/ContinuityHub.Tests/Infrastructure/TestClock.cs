namespace ContinuityHub.Tests.Infrastructure;

/// <summary>A clock the tests set and move; the hub reads time only through TimeProvider.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Set(DateTimeOffset now) => _now = now;
    public void Advance(TimeSpan by) => _now += by;
}
