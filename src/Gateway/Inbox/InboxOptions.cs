using System.ComponentModel.DataAnnotations;

namespace SharingHub.Gateway.Inbox;

/// <summary>The officer's page at <c>/inbox</c> (<c>Inbox</c> section).</summary>
public sealed class InboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Inbox";

    /// <summary>Serve the page. Off, <c>/inbox</c> answers 404.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The OpenID Connect client the page signs in as: a public browser client of Identity whose redirect URI is this
    /// Gateway's <c>/inbox</c> (Identity's <c>Seeding:Clients</c>, <c>Public</c> and <c>Browser</c>).
    /// </summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,100}$")]
    public string ClientId { get; set; } = "sharinghub-web";

    /// <summary>
    /// Identity's address as a browser reaches it; empty means <c>Authentication:Authority</c>, which is right whenever
    /// the Gateway and the officers' browsers reach Identity at the same address.
    /// </summary>
    public Uri? Authority { get; set; }
}
