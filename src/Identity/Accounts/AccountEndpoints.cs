using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SharingHub.Identity.Federation;

namespace SharingHub.Identity.Accounts;

/// <summary>The login page and the local logon.</summary>
internal static class AccountEndpoints
{
    /// <summary>The cookie scheme of the sign-in session at Identity.</summary>
    public const string SessionScheme = "SharingHub.Session";

    public const string LoginPath = "/account/login";

    /// <summary>The answer to every failed logon.</summary>
    public const string FailedMessage =
        "The user name, password or one-time code is not valid, or the account is locked after repeated failures. " +
        "Try again later or contact your administrator.";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(LoginPath, (HttpContext context, IAntiforgery antiforgery, IOptions<AccountOptions> options,
                IOptions<FederationOptions> federation, [FromQuery] string? returnUrl) =>
            LoginPage.Render(context, antiforgery, options.Value.SystemUseNotice, LocalUrl(returnUrl),
                Providers(federation.Value), error: null));

        endpoints.MapPost(LoginPath, async (HttpContext context, [FromForm] LoginForm form, LocalLogin login,
            IAntiforgery antiforgery, IOptions<AccountOptions> options, IOptions<FederationOptions> federation) =>
        {
            var returnUrl = LocalUrl(form.ReturnUrl);
            var result = await login.SignInAsync(form.UserName ?? "", form.Password ?? "", form.Code,
                context.RequestAborted);
            if (result.Status == LoginStatus.Succeeded)
            {
                await context.SignInAsync(SessionScheme, result.Subject!.ToCookiePrincipal(SessionScheme));
                return returnUrl is null
                    ? LoginPage.Message(context, "Signed in", "You are signed in to SharingHub.", StatusCodes.Status200OK)
                    : Results.Redirect(returnUrl);
            }
            // One answer for every failure (unknown name, wrong password or code, locked or demo account): the
            // audit log has the reason, the caller learns nothing about the account.
            return LoginPage.Render(context, antiforgery, options.Value.SystemUseNotice, returnUrl,
                Providers(federation.Value), FailedMessage, StatusCodes.Status401Unauthorized);
        }).RequireRateLimiting(LogonRateLimit.PolicyName);

        endpoints.MapPost("/account/logout", async (HttpContext context, IFormCollection _) =>
        {
            await context.SignOutAsync(SessionScheme);
            return LoginPage.Message(context, "Signed out", "You are signed out of SharingHub.", StatusCodes.Status200OK);
        });
        return endpoints;
    }

    /// <summary>
    /// Only local paths may be returned to, so the login page is no open redirector. The framework's rule also
    /// refuses control characters, which browsers strip (<c>/\t/evil</c> would become <c>//evil</c>).
    /// </summary>
    public static string? LocalUrl(string? url) =>
        RedirectHttpResult.IsLocalUrl(url) ? url : null;

    private static IEnumerable<(string, string)> Providers(FederationOptions federation) =>
        federation.Providers.Select(p => (p.Agency, p.DisplayName ?? p.Agency));
}

/// <summary>The login form; field names match <see cref="LoginPage"/> (binding ignores case).</summary>
internal sealed class LoginForm
{
    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string? Code { get; set; }

    public string? ReturnUrl { get; set; }
}
