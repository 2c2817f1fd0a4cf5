using System.ComponentModel.DataAnnotations;

namespace SharingHub.Gateway.GraphQL;

/// <summary>Limits of the GraphQL endpoint (<c>GraphQL</c> section). Each refusal is a clear error, answered before any resolver runs.</summary>
public sealed class GraphQLOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "GraphQL";

    /// <summary>
    /// Largest request accepted: a POST body, a GET query string, or a WebSocket message (bytes). Larger ones get 413
    /// over HTTP; a larger WebSocket message closes the socket with 4400.
    /// </summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Deepest selection nesting accepted (the introspection query needs 13).</summary>
    [Range(2, 64)]
    public int MaxDepth { get; set; } = 15;

    /// <summary>Highest estimated complexity accepted (fields × the page sizes they multiply by).</summary>
    [Range(10, 10_000_000)]
    public int MaxComplexity { get; set; } = 50_000;

    /// <summary>Most aliased fields in one document.</summary>
    [Range(0, 10_000)]
    public int MaxAliases { get; set; } = 30;

    /// <summary>Most field selections in one document (fragments counted where they are written).</summary>
    [Range(10, 100_000)]
    public int MaxFields { get; set; } = 500;

    /// <summary>Largest page a connection returns (<c>first</c>).</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 100;

    /// <summary>Page size when <c>first</c> is not given.</summary>
    [Range(1, 10_000)]
    public int DefaultPageSize { get; set; } = 20;

    /// <summary>WebSocket: seconds a client has to send <c>connection_init</c> before the socket is closed with 4408.</summary>
    [Range(1, 300)]
    public int ConnectionInitTimeoutSeconds { get; set; } = 10;

    /// <summary>WebSocket: operations (subscriptions, queries, mutations) one socket may have running at once.</summary>
    [Range(1, 1000)]
    public int MaxOperationsPerSocket { get; set; } = 20;

    /// <summary>WebSocket: seconds between the server's <c>ping</c> messages (0: none).</summary>
    [Range(0, 3600)]
    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>Whether browsers get the GraphiQL explorer at <c>GET /graphql</c>; on in Development only unless set.</summary>
    public bool? Explorer { get; set; }
}
