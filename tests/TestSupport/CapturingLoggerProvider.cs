using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SharingHub.TestSupport;

/// <summary>
/// Keeps every log entry of a host, so tests can assert what it recorded: the formatted message, the structured
/// values, the exception with its inner exceptions, and the scopes it was written in.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>Every entry so far, in the order written.</summary>
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Event, string Message)> Entries { get; } = new();

    /// <summary>Each entry as all the text it carries: message, structured values, scopes and exception.</summary>
    public ConcurrentQueue<string> FullText { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private static void AppendValues(StringBuilder text, object? state)
    {
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            foreach (var (key, value) in values)
            {
                text.Append(' ').Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }
        else if (state is not null)
        {
            text.Append(' ').Append(Convert.ToString(state, CultureInfo.InvariantCulture));
        }
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            owner.Entries.Enqueue((category, logLevel, eventId, message));
            var text = new StringBuilder(category).Append(' ').Append(message);
            AppendValues(text, state);
            owner._scopes.ForEachScope((scope, builder) => AppendValues(builder, scope), text);
            if (exception is not null)
            {
                text.Append(' ').Append(exception);
            }
            owner.FullText.Enqueue(text.ToString());
        }
    }
}
