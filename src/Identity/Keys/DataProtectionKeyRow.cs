namespace SharingHub.Identity.Keys;

/// <summary>One ASP.NET Core data-protection key, stored so every replica shares the key ring.</summary>
public sealed class DataProtectionKeyRow
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public string Xml { get; set; } = "";
}
