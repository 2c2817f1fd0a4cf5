using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.GraphQL;

/// <summary>
/// The GraphQL API as agencies reach it: a real Identity (OIDC) issuing real tokens, and a Gateway on a real Kestrel
/// port (so Node clients can reach <see cref="GraphQLUri"/>) on its own hub database and virtual host, validating those
/// tokens. Three agencies (two law-enforcement agencies and a victim-service organisation) publish records of every
/// sensitivity as their own broker users, and the Gateway's real engine matches them before any test runs.
/// </summary>
/// <remarks>
/// Agency codes are fresh for each fixture (broker users are global to the broker), so several test classes may each
/// have their own instance in parallel. The classes of the <see cref="GraphQLGroup"/> share one.
/// </remarks>
public sealed class GraphQLFixture : IdentityFixture
{
    private readonly ConcurrentDictionary<(string Agency, string Role), Task<string>> _tokens = new();
    private readonly Dictionary<string, long> _recordIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(long, long), long> _matchIds = [];
    private readonly List<AgencyBus> _buses = [];
    private TestDatabase? _hubDatabase;
    private TestVirtualHost? _virtualHost;

    /// <summary>How many phones each law-enforcement agency shares with the other (each pair is a shared-phone match).</summary>
    public const int SharedPhones = 60;

    /// <summary>A law-enforcement agency: owns the enforcement records of <see cref="EnforcementRecord"/>.</summary>
    public string CityPolice { get; } = NewAgencyCode();

    /// <summary>A second law-enforcement agency: the other side of <see cref="CityPolice"/>'s matches.</summary>
    public string CountySheriff { get; } = NewAgencyCode();

    /// <summary>A victim-service organisation: its users are advocates.</summary>
    public string Shelter { get; } = NewAgencyCode();

    /// <summary>The Gateway under test, on a real port.</summary>
    public GatewayApp Gateway { get; private set; } = null!;

    /// <summary>Every log entry of the Gateway.</summary>
    public CapturingLoggerProvider GatewayLogs { get; } = new();

    /// <summary><c>http://127.0.0.1:PORT/graphql</c>.</summary>
    public Uri GraphQLUri { get; private set; } = null!;

    /// <summary>The name of the Gateway's own (hub) database.</summary>
    public string HubDatabaseName => _hubDatabase?.Name ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The fixture's virtual host (its administration URI reads the agencies' alert queues).</summary>
    public TestVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>A client of <see cref="GraphQLUri"/>.</summary>
    public GraphQLClient Client { get; private set; } = null!;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Seeding:Agencies:0:Code"] = CityPolice,
        ["Seeding:Agencies:0:Name"] = "Test City Police",
        ["Seeding:Agencies:0:Kind"] = "lawEnforcement",
        ["Seeding:Agencies:1:Code"] = CountySheriff,
        ["Seeding:Agencies:1:Name"] = "Test County Sheriff",
        ["Seeding:Agencies:1:Kind"] = "lawEnforcement",
        ["Seeding:Agencies:2:Code"] = Shelter,
        ["Seeding:Agencies:2:Name"] = "Test Survivors Shelter",
        ["Seeding:Agencies:2:Kind"] = "victimServices",
    };

    /// <inheritdoc />
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _hubDatabase = await TestDatabase.CreateAsync(TestInfrastructure.Current);
        _virtualHost = await TestVirtualHost.CreateAsync(TestInfrastructure.Current);
        Gateway = new GatewayApp(_hubDatabase.ConnectionString, _virtualHost.GatewayAmqpUri.ToString(), new Dictionary<string, string?>
        {
            // Development: the authority is this fixture's Identity over plain HTTP on loopback.
            ["Authentication:Authority"] = App.BaseUri.AbsoluteUri,
            ["Deconfliction:MatchPollSeconds"] = "0.5",
        })
        {
            Environment = "Development",
            Logs = GatewayLogs,
        };
        GraphQLUri = new Uri(Gateway.StartOnRealPort(), "graphql");
        Client = new GraphQLClient(GraphQLUri);
        await Gateway.MigrateAsync();
        await _virtualHost.WaitForRecordsExchangeAsync();

        var city = await AddAgencyAsync(CityPolice, "Test City Police", AgencyKind.LawEnforcement);
        var county = await AddAgencyAsync(CountySheriff, "Test County Sheriff", AgencyKind.LawEnforcement);
        var shelter = await AddAgencyAsync(Shelter, "Test Survivors Shelter", AgencyKind.VictimServices);
        await PublishAndMatchAsync(city, county, shelter);
    }

    /// <summary>
    /// A real access token of a local account of <paramref name="agency"/> in <paramref name="role"/>, from Identity's
    /// authorization code + PKCE flow (password and TOTP); one account and token per (agency, role).
    /// </summary>
    public Task<string> TokenAsync(string agency, string role) => _tokens.GetOrAdd((agency, role), async key =>
    {
        var account = await App.LocalAccountAsync(key.Agency, key.Role);
        using var browser = App.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid api",
            account.UserName, account.Password, account.TotpKey, CancellationToken.None);
        return tokens.AccessToken;
    });

    /// <summary>
    /// <see cref="CityPolice"/>'s suspect labelled <paramref name="sensitivity"/>, matched (person identity) with
    /// <see cref="CountySheriff"/>'s open suspect of the same person.
    /// </summary>
    public Situation EnforcementRecord(Sensitivity sensitivity) =>
        Find(CityPolice, EnforcementLocalId(sensitivity, 'C'), CountySheriff, EnforcementLocalId(sensitivity, 'S'));

    /// <summary>
    /// <see cref="Shelter"/>'s client (a victim) labelled <paramref name="sensitivity"/>, matched (person identity) with
    /// <see cref="CityPolice"/>'s victim record of the same person, labelled the same.
    /// </summary>
    public Situation ShelterRecord(Sensitivity sensitivity) =>
        Find(Shelter, ShelterLocalId(sensitivity, 'V'), CityPolice, ShelterLocalId(sensitivity, 'W'));

    /// <summary>
    /// <see cref="CityPolice"/>'s victim record labelled <paramref name="sensitivity"/> that matched
    /// <see cref="Shelter"/>'s client (the other side of <see cref="ShelterRecord"/>).
    /// </summary>
    public Situation PoliceRecordOfShelterClient(Sensitivity sensitivity) =>
        Find(CityPolice, ShelterLocalId(sensitivity, 'W'), Shelter, ShelterLocalId(sensitivity, 'V'));

    /// <summary>The record id of <paramref name="agency"/>'s record <paramref name="localId"/>.</summary>
    public long RecordId(string agency, string localId) =>
        _recordIds.TryGetValue($"{agency}/{localId}", out var id) ? id : throw new KeyNotFoundException($"{agency} has no record {localId}.");

    /// <summary>Publishes <paramref name="records"/> as <paramref name="agency"/>'s connector, through its own broker user.</summary>
    public Task PublishAsync(string agency, params object[] records) =>
        _buses.Single(b => b.Code == agency).PublishAsync(records);

    private Situation Find(string owner, string localId, string other, string otherLocalId)
    {
        var record = RecordId(owner, localId);
        var counterpart = RecordId(other, otherLocalId);
        var match = _matchIds.TryGetValue((Math.Min(record, counterpart), Math.Max(record, counterpart)), out var id)
            ? id
            : throw new KeyNotFoundException($"{owner} {localId} and {other} {otherLocalId} did not match.");
        return new Situation(owner, record, other, counterpart, match);
    }

    private async Task<AgencyBus> AddAgencyAsync(string code, string name, AgencyKind kind)
    {
        var password = await _virtualHost!.AddAgencyUserAsync(code);
        await Gateway.WithDatabaseAsync(async db =>
        {
            db.Agencies.Add(new Agency { Code = code, Name = name, Kind = kind, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        var bus = await AgencyBus.StartAsync(code, password, _virtualHost.AmqpUri);
        _buses.Add(bus);
        return bus;
    }

    // Each sensitivity has its own person, so no two situations match each other.
    private static readonly Dictionary<Sensitivity, (string Given, string Surname, string Birth)> EnforcementPersons = new()
    {
        [Sensitivity.Open] = ("Lucía", "Fernández Ortega", "1990-01-12"),
        [Sensitivity.AgencyOnly] = ("Marco", "Delgado Ruiz", "1985-06-03"),
        [Sensitivity.Restricted] = ("Rosa", "Villanueva Cruz", "1979-11-21"),
    };

    private static readonly Dictionary<Sensitivity, (string Given, string Surname, string Birth)> ShelterClients = new()
    {
        [Sensitivity.Open] = ("Ana", "Castillo Peña", "1995-02-14"),
        [Sensitivity.AgencyOnly] = ("Elena", "Moreno Silva", "1992-08-30"),
        [Sensitivity.Restricted] = ("Sofía", "Ramírez León", "1998-04-09"),
    };

    private static string EnforcementLocalId(Sensitivity sensitivity, char side) => $"{side}-ENF-{sensitivity}";

    private static string ShelterLocalId(Sensitivity sensitivity, char side) => $"{side}-SHL-{sensitivity}";

    private async Task PublishAndMatchAsync(AgencyBus city, AgencyBus county, AgencyBus shelter)
    {
        var sensitivities = new[] { Sensitivity.Open, Sensitivity.AgencyOnly, Sensitivity.Restricted };
        var cityRecords = new List<object>();
        var countyRecords = new List<object>();
        var shelterRecords = new List<object>();
        foreach (var sensitivity in sensitivities)
        {
            var (given, surname, birth) = EnforcementPersons[sensitivity];
            cityRecords.Add(Person(EnforcementLocalId(sensitivity, 'C'), PersonRole.Suspect, given, surname, birth, sensitivity, "Det. City"));
            countyRecords.Add(Person(EnforcementLocalId(sensitivity, 'S'), PersonRole.Suspect, given, surname, birth, Sensitivity.Open, "Sgt. County"));
            (given, surname, birth) = ShelterClients[sensitivity];
            shelterRecords.Add(Person(ShelterLocalId(sensitivity, 'V'), PersonRole.Victim, given, surname, birth, sensitivity, "Advocate Shelter"));
            cityRecords.Add(Person(ShelterLocalId(sensitivity, 'W'), PersonRole.Victim, given, surname, birth, sensitivity, "Det. City"));
        }
        // Phones both law-enforcement agencies hold: a page of 50 matches and more, each counterpart with its subject.
        cityRecords.Add(Person("C-PHONES", PersonRole.Suspect, "Tomás", "Aguilar Vidal", "1970-05-05", Sensitivity.Open, "Det. City"));
        countyRecords.Add(Person("S-PHONES", PersonRole.Suspect, "Iván", "Zamora Quiroga", "1966-09-17", Sensitivity.Open, "Sgt. County"));
        for (var i = 0; i < SharedPhones; i++)
        {
            var number = $"+1713555{i:D4}";
            cityRecords.Add(Phone($"C-T{i:D2}", "C-PHONES", number, "Det. City"));
            countyRecords.Add(Phone($"S-T{i:D2}", "S-PHONES", number, "Sgt. County"));
        }
        // Persons first, so phones find their subjects; each agency in one batch.
        await city.PublishAsync([.. cityRecords]);
        await county.PublishAsync([.. countyRecords]);
        await shelter.PublishAsync([.. shelterRecords]);

        var expected = cityRecords.Count + countyRecords.Count + shelterRecords.Count;
        await Eventually.UntilAsync(() => Gateway.WithDatabaseAsync(async db =>
                await db.Records.CountAsync() == expected && !await db.Set<MatchPending>().AnyAsync()),
            $"all {expected} records to be stored and matched");

        await Gateway.WithDatabaseAsync(async db =>
        {
            foreach (var record in await db.Records.AsNoTracking().Select(r => new { r.Id, r.AgencyCode, r.LocalId }).ToListAsync())
            {
                _recordIds[$"{record.AgencyCode}/{record.LocalId}"] = record.Id;
            }
            foreach (var match in await db.Matches.AsNoTracking().Select(m => new { m.Id, m.RecordAId, m.RecordBId }).ToListAsync())
            {
                _matchIds[(Math.Min(match.RecordAId, match.RecordBId), Math.Max(match.RecordAId, match.RecordBId))] = match.Id;
            }
            return 0;
        });
        // Fail here, with the reason, rather than in every test: each situation must have matched.
        foreach (var sensitivity in sensitivities)
        {
            _ = EnforcementRecord(sensitivity);
            _ = ShelterRecord(sensitivity);
        }
    }

    private static PersonRecordPublished Person(string localId, PersonRole role, string given, string surname, string birth,
        Sensitivity sensitivity, string official)
    {
        var parts = birth.Split('-').Select(int.Parse).ToArray();
        return new PersonRecordPublished
        {
            LocalId = localId,
            Version = 1,
            PersonRole = role,
            PersonGivenName = given,
            PersonSurName = surname,
            PersonBirthDate = new PartialDate { Year = parts[0], Month = parts[1], Day = parts[2] },
            PersonSex = role == PersonRole.Victim ? PersonSex.Female : PersonSex.Male,
            Labels = Labels(sensitivity, official, role == PersonRole.Suspect ? "Subject of trafficking investigation 26-0042" : null),
        };
    }

    private static PhoneRecordPublished Phone(string localId, string subjectRef, string e164, string official) => new()
    {
        LocalId = localId,
        Version = 1,
        SubjectRef = subjectRef,
        TelephoneNumberFullID = e164,
        TelephoneNumberE164 = e164,
        ValidFromDate = new DateOnly(2026, 1, 1),
        Labels = Labels(Sensitivity.Open, official, null),
    };

    private static RecordLabels Labels(Sensitivity sensitivity, string official, string? justification) => new()
    {
        Sensitivity = sensitivity,
        ControlOfficial = new ControlOfficial { PersonFullName = official, ContactChannel = "+17135550101" },
        CaseTrackingID = "CASE-26-0042",
        Justification = justification,
    };

    private static string NewAgencyCode() => $"TX{Random.Shared.Next(1_000_000, 10_000_000)}";

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        foreach (var bus in _buses)
        {
            await bus.DisposeAsync();
        }
        Client?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }
        if (_hubDatabase is not null)
        {
            await _hubDatabase.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}

/// <summary>One of an agency's records and the match that links it to another agency's record.</summary>
/// <param name="Owner">The agency that owns <paramref name="RecordId"/>.</param>
/// <param name="RecordId">The record.</param>
/// <param name="Other">The agency on the other side of the match.</param>
/// <param name="CounterpartId">Its record in the match.</param>
/// <param name="MatchId">The match.</param>
public sealed record Situation(string Owner, long RecordId, string Other, long CounterpartId, long MatchId);

/// <summary>The GraphQL test classes that share one <see cref="GraphQLFixture"/> (one Identity, Gateway and data set).</summary>
[CollectionDefinition(Name)]
public sealed class GraphQLGroup : ICollectionFixture<GraphQLFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "GraphQL";
}
