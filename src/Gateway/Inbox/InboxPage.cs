using System.Reflection;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Options;
using SharingHub.ServiceDefaults.Options;

namespace SharingHub.Gateway.Inbox;

/// <summary>
/// The officer's page: <c>GET /inbox</c> (also Identity's redirect target, with <c>?code=&amp;state=</c>) and its two
/// assets, a script bundled at build time from the npm packages pinned in <c>Inbox/web/package-lock.json</c> and a
/// stylesheet, embedded in the assembly (no CDN at run time). The page holds no data: it signs the officer in with
/// Identity (code + PKCE) and reads everything through <c>/graphql</c> with the officer's token, like any client.
/// </summary>
internal static class InboxPage
{
    /// <summary>Where the page is served; Identity's redirect URI for the page's client ends with it.</summary>
    public const string Path = "/inbox";

    private const string AssetsPath = Path + "/assets";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["inbox.js"] = "text/javascript",
        ["inbox.css"] = "text/css",
    };

    /// <summary>Registers the page's options.</summary>
    public static IServiceCollection AddInbox(this IServiceCollection services)
    {
        services.AddValidatedOptions<InboxOptions>(InboxOptions.SectionName);
        return services;
    }

    /// <summary>Maps <c>/inbox</c> and its assets (anonymous: they hold no data).</summary>
    public static IEndpointRouteBuilder MapInbox(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, WritePageAsync).AllowAnonymous();
        endpoints.MapGet(AssetsPath + "/{name}", ServeAssetAsync).AllowAnonymous();
        return endpoints;
    }

    private static Task WritePageAsync(HttpContext http, IOptions<InboxOptions> inbox, IConfiguration configuration)
    {
        if (!inbox.Value.Enabled)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var authority = inbox.Value.Authority?.AbsoluteUri ?? configuration["Authentication:Authority"] ?? "";
        var attribute = HtmlEncoder.Default;
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>SharingHub inbox</title>
              <link rel="stylesheet" href="{{AssetsPath}}/inbox.css">
            </head>
            <body data-authority="{{attribute.Encode(authority)}}" data-client-id="{{attribute.Encode(inbox.Value.ClientId)}}" data-page-path="{{Path}}">
              <a class="skip" href="#main">Skip to the inbox</a>
              <header>
                <h1>SharingHub inbox</h1>
                <div id="session"></div>
              </header>
              <main id="main" tabindex="-1">
                <p id="problem" class="problem" role="alert" hidden></p>
                <div id="content"><p>Loading…</p><noscript><p>This page needs JavaScript.</p></noscript></div>
                <p id="announcer" class="visually-hidden" aria-live="polite"></p>
              </main>
              <script src="{{AssetsPath}}/inbox.js"></script>
            </body>
            </html>
            """;
        SetSecurityHeaders(http, authority);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.ContentType = "text/html; charset=utf-8";
        return http.Response.WriteAsync(html, http.RequestAborted);
    }

    private static async Task ServeAssetAsync(HttpContext http, string name, IOptions<InboxOptions> inbox)
    {
        if (!inbox.Value.Enabled || !ContentTypes.TryGetValue(name, out var contentType)
            || Assembly.GetExecutingAssembly().GetManifestResourceStream($"Inbox/{name}") is not { } asset)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await using (asset)
        {
            SetSecurityHeaders(http, authority: null);
            http.Response.ContentType = $"{contentType}; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache";
            await asset.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    // Scripts and styles from this origin only; the page talks to this Gateway (HTTP and its WebSocket) and to
    // Identity (discovery and the token exchange); it may be framed by nobody.
    private static void SetSecurityHeaders(HttpContext http, string? authority)
    {
        var socket = (http.Request.IsHttps ? "wss://" : "ws://") + http.Request.Host.Value;
        var identity = Uri.TryCreate(authority, UriKind.Absolute, out var uri) ? " " + uri.GetLeftPart(UriPartial.Authority) : "";
        http.Response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' {socket}{identity}; " +
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
