using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>A plain GraphQL-over-HTTP client for tests: POSTs one operation, with or without a bearer token.</summary>
public sealed class GraphQLClient(Uri endpoint) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>The endpoint, <c>http://127.0.0.1:PORT/graphql</c>.</summary>
    public Uri Endpoint { get; } = endpoint;

    /// <summary>POSTs <paramref name="query"/> (and its <paramref name="variables"/>) as <paramref name="token"/>'s holder (anonymous when null).</summary>
    public Task<GraphQLResponse> PostAsync(string query, object? variables = null, string? token = null, CancellationToken cancellationToken = default) =>
        PostRawAsync(JsonSerializer.Serialize(new { query, variables }), token, cancellationToken);

    /// <summary>POSTs <paramref name="body"/> as it is, as <c>application/json</c>.</summary>
    public async Task<GraphQLResponse> PostRawAsync(string body, string? token, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/graphql-response+json"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return new GraphQLResponse(response.StatusCode, text);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>An answer: its status, its body, and the body parsed (null when it is not JSON).</summary>
public sealed class GraphQLResponse
{
    public GraphQLResponse(HttpStatusCode status, string body)
    {
        Status = status;
        Body = body;
        try
        {
            using var json = JsonDocument.Parse(body);
            Json = json.RootElement.Clone();
        }
        catch (JsonException)
        {
            Json = null;
        }
    }

    public HttpStatusCode Status { get; }

    public string Body { get; }

    public JsonElement? Json { get; }

    /// <summary><c>data</c>, or an undefined element when there is none.</summary>
    public JsonElement Data => Json is { } json && json.TryGetProperty("data", out var data) ? data : default;

    /// <summary>Each error's <c>extensions.code</c> (null for an error without one).</summary>
    public IReadOnlyList<string?> ErrorCodes => Json is { } json && json.TryGetProperty("errors", out var errors)
        ? [.. errors.EnumerateArray().Select(e => e.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() : null)]
        : [];

    /// <summary>Each error's message.</summary>
    public IReadOnlyList<string?> ErrorMessages => Json is { } json && json.TryGetProperty("errors", out var errors)
        ? [.. errors.EnumerateArray().Select(e => e.TryGetProperty("message", out var m) ? m.GetString() : null)]
        : [];

    /// <inheritdoc />
    public override string ToString() => $"{(int)Status}: {Body}";
}
