namespace SharingHub.Connectors.Sanitizing;

/// <summary>How an agency's values are read: its phone region, its local time zone and extra date formats.</summary>
internal sealed record SanitizerSettings
{
    /// <summary>ISO 3166-1 region used to read phone numbers written without a country code.</summary>
    public string PhoneRegion => PhoneRegions[0];

    /// <summary>The default phone region first, then the neighbouring regions (<see cref="SharingHub.Rules.PhoneRules"/>).</summary>
    public IReadOnlyList<string> PhoneRegions { get; init; } = ["US"];

    /// <summary>Time zone for operation times written without a UTC offset; without it they are rejected.</summary>
    public TimeZoneInfo? TimeZone { get; init; }

    /// <summary>Full-date formats accepted besides ISO 8601 (e.g. <c>MM/dd/yyyy</c>).</summary>
    public IReadOnlyList<string> DateFormats { get; init; } = [];

    /// <summary>The clock's today, for birth dates in the future.</summary>
    public DateOnly Today { get; init; } = DateOnly.FromDateTime(DateTime.UtcNow);
}
