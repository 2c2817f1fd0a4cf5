using System.Reflection;

namespace SharingHub.Gateway.GraphQL.Explorer;

/// <summary>
/// The GraphiQL explorer that browsers get at <c>GET /graphql</c> in development: a page and its scripts, all
/// embedded in the assembly at build time from the npm packages pinned in <c>package.json</c> (no CDN at run time).
/// The page holds no data; every query it sends needs a bearer token like any other client's.
/// </summary>
internal static class GraphiQLPage
{
    /// <summary>Where the explorer's assets are served, next to the endpoint.</summary>
    public const string AssetsPath = "/graphql/explorer";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["react.production.min.js"] = "text/javascript",
        ["react-dom.production.min.js"] = "text/javascript",
        ["graphiql.min.js"] = "text/javascript",
        ["graphiql.min.css"] = "text/css",
        ["explorer.js"] = "text/javascript",
    };

    private const string Html = $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>SharingHub GraphQL explorer</title>
          <link rel="stylesheet" href="{{AssetsPath}}/graphiql.min.css">
          <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
        </head>
        <body>
          <div id="graphiql">Loading the GraphQL explorer…</div>
          <script src="{{AssetsPath}}/react.production.min.js"></script>
          <script src="{{AssetsPath}}/react-dom.production.min.js"></script>
          <script src="{{AssetsPath}}/graphiql.min.js"></script>
          <script src="{{AssetsPath}}/explorer.js"></script>
        </body>
        </html>
        """;

    /// <summary>Writes the explorer page.</summary>
    public static Task WriteAsync(HttpContext http)
    {
        SetSecurityHeaders(http.Response);
        http.Response.ContentType = "text/html; charset=utf-8";
        return http.Response.WriteAsync(Html, http.RequestAborted);
    }

    /// <summary>Serves one of the explorer's embedded assets; 404 for any other name.</summary>
    public static async Task ServeAssetAsync(HttpContext http, string name)
    {
        if (!ContentTypes.TryGetValue(name, out var contentType)
            || Assembly.GetExecutingAssembly().GetManifestResourceStream($"GraphiQL/{name}") is not { } asset)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await using (asset)
        {
            SetSecurityHeaders(http.Response);
            http.Response.ContentType = $"{contentType}; charset=utf-8";
            http.Response.Headers.CacheControl = "public, max-age=3600";
            await asset.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    private static void SetSecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy =
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
    }
}
