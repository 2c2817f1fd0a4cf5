using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace SharingHub.Identity.Accounts;

/// <summary>The server-rendered login page: CJIS system-use notice, local logon form, agency providers.</summary>
internal static class LoginPage
{
    public const string UserNameField = "username";
    public const string PasswordField = "password";
    public const string CodeField = "code";
    public const string ReturnUrlField = "returnUrl";

    public static IResult Render(
        HttpContext context,
        IAntiforgery antiforgery,
        string notice,
        string? returnUrl,
        IEnumerable<(string Agency, string DisplayName)> providers,
        string? error,
        int statusCode = StatusCodes.Status200OK)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = HtmlEncoder.Default;
        var page = new StringBuilder();
        page.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>SharingHub sign in</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
            .notice{border:2px solid #8a1c1c;background:#fff4f4;padding:.75rem 1rem;font-size:.9rem}
            .error{color:#8a1c1c;font-weight:600}
            label{display:block;margin-top:.75rem}input{width:100%;padding:.4rem;box-sizing:border-box}
            button{margin-top:1rem;padding:.5rem 1.25rem}
            </style></head><body>
            <h1>SharingHub</h1>
            <div class="notice" role="note" id="system-use-notice"><strong>WARNING: system-use notice.</strong>
            """);
        page.Append("<p>").Append(html.Encode(notice)).Append("</p></div>");
        if (error is not null)
        {
            page.Append("<p class=\"error\" role=\"alert\">").Append(html.Encode(error)).Append("</p>");
        }
        page.Append("<h2>Sign in with a hub account</h2><form method=\"post\" action=\"/account/login\">");
        Hidden(page, tokens.FormFieldName, tokens.RequestToken ?? "");
        Hidden(page, ReturnUrlField, returnUrl ?? "");
        page.Append($$"""
            <label>User name<input name="{{UserNameField}}" autocomplete="username" required></label>
            <label>Password<input name="{{PasswordField}}" type="password" autocomplete="current-password" required></label>
            <label>One-time code (authenticator app)<input name="{{CodeField}}" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}"></label>
            <button type="submit">Sign in</button></form>
            """);
        var list = providers.ToList();
        if (list.Count > 0)
        {
            page.Append("<h2>Or sign in through your agency</h2><ul>");
            foreach (var (agency, name) in list)
            {
                var href = $"/federation/login/{Uri.EscapeDataString(agency)}?returnUrl={Uri.EscapeDataString(returnUrl ?? "")}";
                page.Append("<li><a href=\"").Append(html.Encode(href)).Append("\">")
                    .Append(html.Encode(name)).Append("</a></li>");
            }
            page.Append("</ul>");
        }
        page.Append("</body></html>");
        return Html(context, page.ToString(), statusCode);
    }

    public static IResult Message(HttpContext context, string title, string message, int statusCode)
    {
        var html = HtmlEncoder.Default;
        return Html(context,
            $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.Encode(title)}</title></head>" +
            $"<body><h1>{html.Encode(title)}</h1><p role=\"alert\">{html.Encode(message)}</p></body></html>",
            statusCode);
    }

    private static IResult Html(HttpContext context, string body, int statusCode)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        return Results.Content(body, "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    private static void Hidden(StringBuilder page, string name, string value) =>
        page.Append("<input type=\"hidden\" name=\"").Append(HtmlEncoder.Default.Encode(name))
            .Append("\" value=\"").Append(HtmlEncoder.Default.Encode(value)).Append("\">");
}
