using SharingHub.Connectors.Sanitizing;

namespace SharingHub.Connectors.Tests;

/// <summary>Valid source records to start from; each test changes only what it is about.</summary>
internal static class SourceRecords
{
    /// <summary>A fixed "today", so birth-date checks do not depend on the day the tests run.</summary>
    public static readonly DateOnly Today = new(2026, 6, 15);

    public static SanitizerSettings Settings(string region = "US", TimeZoneInfo? zone = null, params string[] dateFormats) => new()
    {
        PhoneRegions = region.Split(','),
        TimeZone = zone,
        DateFormats = dateFormats,
        Today = Today,
    };

    public static SourceRecord Person(Action<SourceRecord>? change = null)
    {
        var record = new SourceRecord
        {
            Kind = "person",
            LocalId = "P-1001",
            Version = "1",
            Role = "victim",
            GivenName = "María José",
            Surname = "García López",
            BirthDate = "1988-03-14",
            Sex = "F",
        };
        WithLabels(record);
        change?.Invoke(record);
        return record;
    }

    public static SourceRecord Phone(string number = "(713) 555-0199", Action<SourceRecord>? change = null)
    {
        var record = new SourceRecord { Kind = "phone", LocalId = "T-77", Version = "1", SubjectRef = "P-1001", Number = number };
        WithLabels(record);
        change?.Invoke(record);
        return record;
    }

    public static SourceRecord Location(Action<SourceRecord>? change = null)
    {
        var record = new SourceRecord
        {
            Kind = "location",
            LocalId = "L-5",
            Version = "1",
            SubjectRef = "P-1001",
            Address = "1200 Main St, Houston, TX 77002",
            Lat = "29.7530",
            Lon = "-95.3600",
        };
        WithLabels(record);
        change?.Invoke(record);
        return record;
    }

    public static SourceRecord Operation(Action<SourceRecord>? change = null) => Location(r =>
    {
        r.LocalId = "OP-3";
        r.SubjectRef = null;
        r.Address = null;
        r.RadiusMeters = "300";
        r.StartsAt = "2026-12-01T10:00:00Z";
        r.EndsAt = "2026-12-01T12:00:00Z";
        change?.Invoke(r);
    });

    private static void WithLabels(SourceRecord record)
    {
        record.Labels.Sensitivity = "open";
        record.Labels.ControlOfficialName = "Det. Ana Ruiz";
        record.Labels.ControlOfficialChannel = "+1 713 555 0101";
    }
}
