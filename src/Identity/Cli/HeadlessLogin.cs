using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;

namespace SharingHub.Identity.Cli;

/// <summary>
/// Drives a real authorization code + PKCE flow without a browser: it follows the redirects, fills in the
/// login form like a person would (password and TOTP code), and redeems the code at the token endpoint.
/// Used by <c>./hub token</c> and by the integration tests.
/// </summary>
internal sealed partial class HeadlessLogin : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _issuer;

    public HeadlessLogin(Uri issuer, CookieContainer? cookies = null)
    {
        _issuer = issuer;
        Cookies = cookies ?? new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CookieContainer Cookies { get; }

    /// <summary>A TOTP code for a base32 secret, as an authenticator app shows it now.</summary>
    public static string TotpCode(string base32Secret) => Accounts.TotpCode.Compute(base32Secret, DateTimeOffset.UtcNow);

    /// <summary>Starts an authorization request and follows redirects until a page (or the client's redirect URI).</summary>
    public async Task<FlowStep> StartAsync(AuthorizationRequest request, CancellationToken cancellationToken)
    {
        var query = HttpUtility.ParseQueryString("");
        query["client_id"] = request.ClientId;
        query["redirect_uri"] = request.RedirectUri.AbsoluteUri;
        query["response_type"] = "code";
        query["scope"] = request.Scope;
        query["state"] = request.State;
        query["code_challenge"] = request.CodeChallenge;
        query["code_challenge_method"] = "S256";
        return await FollowAsync(new Uri(_issuer, "connect/authorize?" + query), request.RedirectUri, cancellationToken);
    }

    /// <summary>Follows redirects from <paramref name="url"/> until a non-redirect answer or the client's redirect URI.</summary>
    public async Task<FlowStep> FollowAsync(Uri url, Uri redirectUri, CancellationToken cancellationToken)
    {
        for (var hops = 0; hops < 20; hops++)
        {
            if (url.GetLeftPart(UriPartial.Path) == redirectUri.GetLeftPart(UriPartial.Path))
            {
                return FlowStep.Callback(url);
            }
            using var response = await _http.GetAsync(url, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther
                or HttpStatusCode.TemporaryRedirect or HttpStatusCode.MovedPermanently)
            {
                url = new Uri(url, response.Headers.Location!);
                continue;
            }
            return FlowStep.Page(url, response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        throw new InvalidOperationException("Too many redirects.");
    }

    /// <summary>GETs <paramref name="url"/> and returns where it redirects to.</summary>
    public async Task<Uri> FirstRedirectAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(url, cancellationToken);
        return response.Headers.Location is { } location
            ? new Uri(url, location)
            : throw new HeadlessLoginException($"{url} answered {(int)response.StatusCode}, not a redirect.");
    }

    /// <summary>Submits the local login form of <paramref name="loginPage"/> and follows where it leads.</summary>
    public async Task<FlowStep> SubmitLoginAsync(FlowStep loginPage, string userName, string password, string? code,
        Uri redirectUri, CancellationToken cancellationToken)
    {
        var fields = HiddenFields(loginPage.Body ?? throw new InvalidOperationException("No login page."));
        fields["username"] = userName;
        fields["password"] = password;
        fields["code"] = code ?? "";
        using var response = await _http.PostAsync(new Uri(loginPage.Url, "/account/login"),
            new FormUrlEncodedContent(fields), cancellationToken);
        if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
        {
            return await FollowAsync(new Uri(loginPage.Url, response.Headers.Location!), redirectUri, cancellationToken);
        }
        return FlowStep.Page(loginPage.Url, response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Redeems the code the flow ended with.</summary>
    public async Task<TokenSet> RedeemAsync(FlowStep callback, AuthorizationRequest request, string? clientSecret,
        CancellationToken cancellationToken)
    {
        var parameters = HttpUtility.ParseQueryString(callback.Url.Query);
        if (parameters["error"] is { } error)
        {
            throw new HeadlessLoginException($"The authorization failed: {error} {parameters["error_description"]}");
        }
        if (parameters["state"] != request.State)
        {
            throw new HeadlessLoginException("The authorization response carries the wrong state.");
        }
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = parameters["code"] ?? throw new HeadlessLoginException("The authorization response has no code."),
            ["redirect_uri"] = request.RedirectUri.AbsoluteUri,
            ["client_id"] = request.ClientId,
            ["code_verifier"] = request.CodeVerifier,
        };
        if (clientSecret is not null)
        {
            form["client_secret"] = clientSecret;
        }
        return await TokenRequestAsync(form, cancellationToken);
    }

    /// <summary>Posts to the token endpoint; throws with the server's error on refusal.</summary>
    public async Task<TokenSet> TokenRequestAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(new Uri(_issuer, "connect/token"), new FormUrlEncodedContent(form),
            cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (!response.IsSuccessStatusCode)
        {
            throw new HeadlessLoginException(
                $"The token endpoint refused: {Get(root, "error")} {Get(root, "error_description")}".Trim(), Get(root, "error"));
        }
        return new TokenSet(Get(root, "access_token")!, Get(root, "refresh_token"), Get(root, "id_token"));
    }

    /// <summary>The whole flow: authorize, log in with password and TOTP, redeem the code.</summary>
    public async Task<TokenSet> LoginAsync(string clientId, string? clientSecret, Uri redirectUri, string scope,
        string userName, string password, string totpSecret, CancellationToken cancellationToken)
    {
        var request = AuthorizationRequest.Create(clientId, redirectUri, scope);
        var page = await StartAsync(request, cancellationToken);
        if (!page.IsCallback)
        {
            page = await SubmitLoginAsync(page, userName, password, TotpCode(totpSecret), redirectUri, cancellationToken);
        }
        if (!page.IsCallback)
        {
            throw new HeadlessLoginException($"The login did not complete ({(int)page.Status}): {ErrorOf(page.Body)}");
        }
        return await RedeemAsync(page, request, clientSecret, cancellationToken);
    }

    public static Dictionary<string, string> HiddenFields(string html) =>
        HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value),
            m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    /// <summary>The error text the login page shows, if any.</summary>
    public static string? ErrorOf(string? html) =>
        html is null ? null : AlertText().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    public void Dispose() => _http.Dispose();

    private static string? Get(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]*)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("role=\"alert\">([^<]*)<")]
    private static partial Regex AlertText();
}

/// <summary>An authorization request with its PKCE verifier and state.</summary>
internal sealed record AuthorizationRequest(string ClientId, Uri RedirectUri, string Scope, string State,
    string CodeVerifier, string CodeChallenge)
{
    public static AuthorizationRequest Create(string clientId, Uri redirectUri, string scope)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return new AuthorizationRequest(clientId, redirectUri, scope, Base64Url(RandomNumberGenerator.GetBytes(16)),
            verifier, challenge);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Where a flow stopped: a page (login form, error) or the client's redirect URI.</summary>
internal sealed record FlowStep(Uri Url, HttpStatusCode Status, string? Body, bool IsCallback)
{
    public static FlowStep Page(Uri url, HttpStatusCode status, string body) => new(url, status, body, false);

    public static FlowStep Callback(Uri url) => new(url, HttpStatusCode.Found, null, true);
}

/// <summary>Tokens from the token endpoint.</summary>
internal sealed record TokenSet(string AccessToken, string? RefreshToken, string? IdentityToken);

/// <summary>The flow was refused; the message says where and why.</summary>
internal sealed class HeadlessLoginException(string message, string? error = null) : Exception(message)
{
    public string? Error { get; } = error;
}
