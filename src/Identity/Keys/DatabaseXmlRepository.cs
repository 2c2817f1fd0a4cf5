using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using SharingHub.Identity.Data;

namespace SharingHub.Identity.Keys;

/// <summary>
/// Stores the data-protection key ring in PostgreSQL so all Identity replicas protect and unprotect
/// cookies and antiforgery tokens with the same keys, and restarts keep users signed in.
/// </summary>
/// <remarks>
/// Microsoft.AspNetCore.DataProtection.EntityFrameworkCore is not served at the pinned EF Core version;
/// this is its two-method equivalent.
/// </remarks>
internal sealed class DatabaseXmlRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubIdentityDbContext>();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id)
            .Select(k => k.Xml).ToList()
            .Select(XElement.Parse).Where(IsTrusted).ToList();
    }

    /// <summary>
    /// A key must be encrypted with the configured certificate. A key in the clear (from before encryption at rest,
    /// or written by whoever could write the table) is ignored: anyone who ever read the database could forge
    /// cookies with it. Revocations and other elements carry no secret and are kept.
    /// </summary>
    internal static bool IsTrusted(XElement element) =>
        element.Name.LocalName != "key" || element.Descendants().Any(e => e.Name.LocalName == "encryptedSecret");

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HubIdentityDbContext>();
        db.DataProtectionKeys.Add(new DataProtectionKeyRow
        {
            FriendlyName = friendlyName,
            Xml = element.ToString(SaveOptions.DisableFormatting),
        });
        db.SaveChanges();
    }
}
