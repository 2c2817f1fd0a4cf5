using System.Net;
using System.Net.Http.Headers;

namespace SharingHub.Connectors.Alerts;

/// <summary>Where the connector hands the agency's alerts to its own system: a JSON-lines file or a webhook.</summary>
internal interface IAlertSink : IAsyncDisposable
{
    /// <summary>What the sink is, for messages (<c>file:/path</c>, <c>webhook:https://host/path</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Hands over one alert (its JSON, as the hub sent it). Returns once the sink has it; throws
    /// <see cref="SinkUnavailableException"/> when trying again later may work, <see cref="SinkRefusedException"/> when not.
    /// </summary>
    Task DeliverAsync(string alertId, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);
}

/// <summary>The sink cannot take the alert now (down, full, timing out): the drain waits and tries again.</summary>
internal sealed class SinkUnavailableException : Exception
{
    public SinkUnavailableException(string message) : base(message) { }

    public SinkUnavailableException(string message, Exception inner) : base(message, inner) { }

    public SinkUnavailableException() { }
}

/// <summary>The sink refuses for good (a bad address, a 4xx answer, no permission): the drain stops.</summary>
internal sealed class SinkRefusedException : Exception
{
    public SinkRefusedException(string message) : base(message) { }

    public SinkRefusedException(string message, Exception inner) : base(message, inner) { }

    public SinkRefusedException() { }
}

/// <summary>Parses <c>file:PATH</c> and <c>webhook:URL</c>.</summary>
internal static class AlertSinks
{
    public const string Usage = "--sink must be file:PATH (JSON lines) or webhook:URL (an http:// or https:// URL)";

    /// <summary>The sink <paramref name="spec"/> names (relative file paths against <paramref name="baseDirectory"/>).</summary>
    /// <exception cref="ArgumentException">The text names no usable sink; the message says why, in one line.</exception>
    public static IAlertSink Parse(string? spec, string baseDirectory)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw new ArgumentException(Usage);
        }
        if (spec.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = spec["file:".Length..];
            if (path.Length == 0)
            {
                throw new ArgumentException($"{Usage}: the file path is empty");
            }
            return new FileAlertSink(Path.GetFullPath(path, baseDirectory));
        }
        if (spec.StartsWith("webhook:", StringComparison.Ordinal))
        {
            var url = spec["webhook:".Length..];
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException($"{Usage}: '{url}' is not an http:// or https:// URL");
            }
            return new WebhookAlertSink(uri);
        }
        throw new ArgumentException($"{Usage}, not '{spec}'");
    }
}

/// <summary>
/// Appends each alert as one JSON line and flushes it to disk before the alert counts as taken. The file is opened for
/// each alert, so the agency's system may rotate it (rename and let the next alert create a new one).
/// </summary>
internal sealed class FileAlertSink(string path) : IAlertSink
{
    public string Name => $"file:{Path}";

    public string Path { get; } = path;

    /// <summary>Fails at start, before anything is taken from the queue, when the file cannot be written at all.</summary>
    public void CheckWritable()
    {
        try
        {
            var folder = System.IO.Path.GetDirectoryName(Path)!;
            if (!Directory.Exists(folder))
            {
                throw new SinkRefusedException($"cannot write {Path}: the folder {folder} does not exist");
            }
            using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SinkRefusedException($"cannot write {Path}: permission denied", ex);
        }
        catch (IOException ex)
        {
            throw new SinkRefusedException($"cannot write {Path}: {ex.Message}", ex);
        }
    }

    public async Task DeliverAsync(string alertId, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 4096, FileOptions.Asynchronous);
            var line = new byte[json.Length + 1];
            json.CopyTo(line);
            line[^1] = (byte)'\n';
            await stream.WriteAsync(line, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SinkUnavailableException($"cannot write {Path}: permission denied", ex);
        }
        catch (IOException ex)
        {
            throw new SinkUnavailableException($"cannot write {Path}: {ex.Message}", ex);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// POSTs each alert to a URL as <c>application/json</c>, with the alert id in <c>Idempotency-Key</c> so the receiver can
/// drop a repeat. A 2xx answer takes it; no answer, a 5xx, 408 or 429 is tried again later; any other answer is a
/// refusal that retrying cannot fix.
/// </summary>
internal sealed class WebhookAlertSink(Uri url) : IAlertSink
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Name => $"webhook:{url}";

    public async Task DeliverAsync(string alertId, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(json) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Add("Idempotency-Key", alertId);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new SinkUnavailableException($"{url.GetLeftPart(UriPartial.Path)} unreachable ({ex.HttpRequestError})", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SinkUnavailableException($"{url.GetLeftPart(UriPartial.Path)} did not answer within {_http.Timeout.TotalSeconds:0}s", ex);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            {
                throw new SinkUnavailableException($"{url.GetLeftPart(UriPartial.Path)} answered {status} {response.ReasonPhrase}");
            }
            throw new SinkRefusedException($"{url.GetLeftPart(UriPartial.Path)} refused the alert: {status} {response.ReasonPhrase}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
