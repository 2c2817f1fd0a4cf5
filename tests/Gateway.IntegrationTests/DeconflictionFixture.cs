using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// A test class's hub for deconfliction: its own database and virtual host, one or more Gateway replicas on them,
/// and agencies that publish as their own broker users (as the connector does: user_id set, hub topology only).
/// </summary>
public class DeconflictionFixture : HubInfrastructureFixture
{
    private readonly List<AgencyBus> _buses = [];
    private readonly List<GatewayApp> _apps = [];

    /// <summary>The first Gateway replica.</summary>
    public GatewayApp App => _apps[0];

    /// <summary>Gateway replicas to start (competing consumers on the same database and virtual host).</summary>
    protected virtual int Replicas => 1;

    /// <summary>Settings of every replica.</summary>
    protected virtual Dictionary<string, string?> Settings => new()
    {
        ["Deconfliction:MatchPollSeconds"] = "0.5",
    };

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        for (var i = 0; i < Replicas; i++)
        {
            var app = CreateApp(Settings);
            _apps.Add(app);
            if (i == 0)
            {
                await app.MigrateAsync();
            }
            _ = app.Services;
        }
        await VirtualHost.WaitForRecordsExchangeAsync();
    }

    /// <summary>A Gateway replica on the fixture's database and virtual host, not yet started.</summary>
    protected virtual GatewayApp CreateApp(Dictionary<string, string?> settings) => new(this, settings);

    /// <summary>Registers an agency (publish-only broker user and database row) and starts its publisher.</summary>
    public async Task<AgencyBus> AddAgencyAsync(string prefix) => (await AddAgencyWithPasswordAsync(prefix)).Bus;

    /// <summary>
    /// As <see cref="AddAgencyAsync"/>, with the broker user's password (to connect as the agency, as its alert drain does).
    /// </summary>
    public async Task<(AgencyBus Bus, string Password)> AddAgencyWithPasswordAsync(string prefix)
    {
        var code = $"{prefix}{Guid.NewGuid():N}"[..12].ToUpperInvariant();
        var password = await VirtualHost.AddAgencyUserAsync(code);
        await App.WithDatabaseAsync(async db =>
        {
            db.Agencies.Add(new Agency { Code = code, Name = $"Test agency {code}", Kind = AgencyKind.LawEnforcement, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        var bus = await AgencyBus.StartAsync(code, password, VirtualHost.AmqpUri);
        _buses.Add(bus);
        return (bus, password);
    }

    /// <summary>
    /// Waits until every listed record is stored at (at least) its version and no record's matching is pending:
    /// a record's marker commits with it and is deleted when its matches are written.
    /// </summary>
    public Task WaitForMatchingAsync(AgencyBus agency, RecordKind kind, string localId, long version = 1) =>
        Eventually.UntilAsync(() => App.WithDatabaseAsync(async db =>
                await db.Records.AnyAsync(r => r.AgencyCode == agency.Code && r.Kind == kind && r.LocalId == localId && r.Version >= version)
                && !await db.Set<MatchPending>().AnyAsync()),
            $"matching of {agency.Code} {kind} {localId} v{version} to finish");

    /// <summary>The matches between two agencies' records, with the records' local ids.</summary>
    public Task<List<MatchView>> MatchesAsync(AgencyBus a, AgencyBus b) => App.WithDatabaseAsync(db =>
        (from m in db.Matches.AsNoTracking()
         join ra in db.Records on m.RecordAId equals ra.Id
         join rb in db.Records on m.RecordBId equals rb.Id
         where (m.AgencyA == a.Code && m.AgencyB == b.Code) || (m.AgencyA == b.Code && m.AgencyB == a.Code)
         select new MatchView(m, ra.LocalId, rb.LocalId)).ToListAsync());

    /// <summary>The change-feed events of a match, oldest first.</summary>
    public Task<List<MatchEventType>> EventsAsync(long matchId) => App.WithDatabaseAsync(db =>
        db.MatchEvents.Where(e => e.MatchId == matchId).OrderBy(e => e.Id).Select(e => e.Type).ToListAsync());

    /// <summary>Runs <paramref name="work"/> with the replica's services (adjudication, sweeper).</summary>
    public async Task<T> WithServicesAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var bus in _buses)
        {
            await bus.DisposeAsync();
        }
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Two Gateway replicas on one database and virtual host; the workers do not poll, so each replica's workers match only
/// what that replica stored (a store wakes its own replica's workers): two halves of a pair race on two replicas.
/// </summary>
public sealed class TwoReplicaFixture : DeconflictionFixture
{
    protected override int Replicas => 2;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Deconfliction:MatchPollSeconds"] = "3600",
    };
}

/// <summary>A stored match with its records' local ids.</summary>
public sealed record MatchView(Match Match, string LocalIdA, string LocalIdB);

/// <summary>Contract records for tests.</summary>
internal static class Records
{
    public static readonly RecordLabels Labels = new()
    {
        Sensitivity = Sensitivity.Open,
        ControlOfficial = new ControlOfficial { PersonFullName = "Det. Test", ContactChannel = "+17135550101" },
    };

    public static PersonRecordPublished Person(string localId, string given, string surname, string? birth, long version = 1,
        string? ssn = null, IReadOnlyList<string>? aliases = null, Sensitivity sensitivity = Sensitivity.Open) => new()
        {
            LocalId = localId,
            Version = version,
            PersonRole = PersonRole.Victim,
            PersonGivenName = given,
            PersonSurName = surname,
            PersonBirthDate = birth is null ? null : Date(birth),
            PersonAlternateNames = aliases ?? [],
            PersonOtherIdentifications = ssn is null ? [] : [new PersonIdentification { IdentificationCategoryText = "ssn", IdentificationID = ssn }],
            Labels = sensitivity == Sensitivity.Open ? Labels : Labels with { Sensitivity = sensitivity },
        };

    public static PhoneRecordPublished Phone(string localId, string? subjectRef, string e164, DateOnly? from = null, DateOnly? to = null, long version = 1) => new()
    {
        LocalId = localId,
        Version = version,
        SubjectRef = subjectRef,
        TelephoneNumberFullID = e164,
        TelephoneNumberE164 = e164,
        ValidFromDate = from,
        ValidToDate = to,
        Labels = Labels,
    };

    public static LocationRecordPublished Place(string localId, string? subjectRef, string? address, double? lat = null, double? lon = null, long version = 1) => new()
    {
        LocalId = localId,
        Version = version,
        SubjectRef = subjectRef,
        LocationAddressFullText = address,
        LatitudeDegreeValue = lat,
        LongitudeDegreeValue = lon,
        Labels = Labels,
    };

    public static LocationRecordPublished Operation(string localId, double lat, double lon, double radius, DateTimeOffset start, TimeSpan length, long version = 1) => new()
    {
        LocalId = localId,
        Version = version,
        LatitudeDegreeValue = lat,
        LongitudeDegreeValue = lon,
        PlannedOperation = new PlannedOperation { StartDateTime = start, EndDateTime = start + length, RadiusMeters = radius },
        Labels = Labels,
    };

    public static RecordWithdrawn Withdrawal(RecordKind kind, string localId, long version) => new() { RecordKind = kind, LocalId = localId, Version = version };

    private static PartialDate Date(string text)
    {
        var parts = text.Split('-').Select(int.Parse).ToArray();
        return new PartialDate { Year = parts[0], Month = parts.Length > 1 ? parts[1] : null, Day = parts.Length > 2 ? parts[2] : null };
    }
}
