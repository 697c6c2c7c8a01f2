using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>Every log event the hub writes, rendered as the JSON the production sink writes.</summary>
public sealed class CapturedLog : ILogEventSink
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly JsonFormatter _formatter = new(renderMessage: true);

    public void Emit(LogEvent logEvent)
    {
        var writer = new StringWriter();
        _formatter.Format(logEvent, writer);
        _lines.Enqueue(writer.ToString());
    }

    public IReadOnlyList<string> Lines => [.. _lines];
    public string All => string.Join("", _lines);
}
