using Microsoft.EntityFrameworkCore;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.Inbox;

/// <summary>
/// The officer's page as a browser reaches it: a real Identity whose public browser client <c>sharinghub-web</c> has
/// its redirect URI on the Gateway's <c>/inbox</c>, and the Gateway on a real port (chosen first, so Identity can be
/// seeded with it), on its own hub database and virtual host. Two law-enforcement agencies publish as their own
/// broker users; <see cref="CityPolice"/> has a suspect that <see cref="CountySheriff"/> has not yet published.
/// </summary>
public sealed class InboxFixture : IdentityFixture
{
    private readonly List<AgencyBus> _buses = [];
    private readonly int _gatewayPort = GatewayApp.FreePort();
    private TestDatabase? _hubDatabase;
    private TestVirtualHost? _virtualHost;

    /// <summary>The officer's agency.</summary>
    public string CityPolice { get; } = $"TX{Random.Shared.Next(1_000_000, 10_000_000)}";

    /// <summary>The other agency.</summary>
    public string CountySheriff { get; } = $"TX{Random.Shared.Next(1_000_000, 10_000_000)}";

    /// <summary>
    /// A law-enforcement agency with more alerts than one page holds: <see cref="SharedPhones"/> phones it shares with
    /// <see cref="PortPolice"/>, and a victim record matching <see cref="Shelter"/>'s restricted client.
    /// </summary>
    public string HarborPolice { get; } = $"TX{Random.Shared.Next(1_000_000, 10_000_000)}";

    /// <summary>The other side of <see cref="HarborPolice"/>'s shared phones.</summary>
    public string PortPolice { get; } = $"TX{Random.Shared.Next(1_000_000, 10_000_000)}";

    /// <summary>A victim-service organisation whose restricted client matches <see cref="HarborPolice"/>'s victim.</summary>
    public string Shelter { get; } = $"TX{Random.Shared.Next(1_000_000, 10_000_000)}";

    /// <summary>How many phones <see cref="HarborPolice"/> and <see cref="PortPolice"/> share (one alert each).</summary>
    public const int SharedPhones = 105;

    /// <summary>The Gateway under test, on a real port.</summary>
    public GatewayApp Gateway { get; private set; } = null!;

    /// <summary><c>http://127.0.0.1:PORT/inbox</c>.</summary>
    public Uri InboxUri => new($"http://127.0.0.1:{_gatewayPort}/inbox");

    /// <summary><c>http://127.0.0.1:PORT/graphql</c>.</summary>
    public Uri GraphQLUri => new($"http://127.0.0.1:{_gatewayPort}/graphql");

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Seeding:Agencies:0:Code"] = CityPolice,
        ["Seeding:Agencies:0:Name"] = "Test City Police",
        ["Seeding:Agencies:0:Kind"] = "lawEnforcement",
        ["Seeding:Agencies:1:Code"] = CountySheriff,
        ["Seeding:Agencies:1:Name"] = "Test County Sheriff",
        ["Seeding:Agencies:1:Kind"] = "lawEnforcement",
        ["Seeding:Agencies:2:Code"] = HarborPolice,
        ["Seeding:Agencies:2:Name"] = "Test Harbor Police",
        ["Seeding:Agencies:2:Kind"] = "lawEnforcement",
        ["Seeding:Agencies:3:Code"] = PortPolice,
        ["Seeding:Agencies:3:Name"] = "Test Port Police",
        ["Seeding:Agencies:3:Kind"] = "lawEnforcement",
        ["Seeding:Agencies:4:Code"] = Shelter,
        ["Seeding:Agencies:4:Name"] = "Test Harbor Shelter",
        ["Seeding:Agencies:4:Kind"] = "victimServices",
        // The page's client as appsettings.Development.json registers it, on this Gateway's port.
        ["Seeding:Clients:1:ClientId"] = "sharinghub-web",
        ["Seeding:Clients:1:Public"] = "true",
        ["Seeding:Clients:1:Browser"] = "true",
        ["Seeding:Clients:1:Grants:0"] = "authorization_code",
        ["Seeding:Clients:1:RedirectUris:0"] = InboxUri.AbsoluteUri,
        ["Seeding:Clients:1:PostLogoutRedirectUris:0"] = InboxUri.AbsoluteUri,
    };

    /// <inheritdoc />
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _hubDatabase = await TestDatabase.CreateAsync(TestInfrastructure.Current);
        _virtualHost = await TestVirtualHost.CreateAsync(TestInfrastructure.Current);
        Gateway = new GatewayApp(_hubDatabase.ConnectionString, _virtualHost.GatewayAmqpUri.ToString(), new Dictionary<string, string?>
        {
            ["Authentication:Authority"] = App.BaseUri.AbsoluteUri,
            ["Deconfliction:MatchPollSeconds"] = "0.5",
        })
        {
            Environment = "Development",
        };
        Gateway.StartOnRealPort(_gatewayPort);
        await Gateway.MigrateAsync();
        await _virtualHost.WaitForRecordsExchangeAsync();
        await AddAgencyAsync(CityPolice, "Test City Police");
        await AddAgencyAsync(CountySheriff, "Test County Sheriff");
        await AddAgencyAsync(HarborPolice, "Test Harbor Police");
        await AddAgencyAsync(PortPolice, "Test Port Police");
        await AddAgencyAsync(Shelter, "Test Harbor Shelter", AgencyKind.VictimServices);
        await PublishAsync(CityPolice, Suspect("C-LIVE", "Det. Ana Ruiz"));
        var harbor = new List<object> { Person("H-PHONES", PersonRole.Suspect, "Tomás", "Aguilar Vidal", 1970, Sensitivity.Open, "Det. Harbor"),
            Person("H-VICTIM", PersonRole.Victim, "Sofía", "Ramírez León", 1994, Sensitivity.Restricted, "Det. Harbor") };
        var port = new List<object> { Person("P-PHONES", PersonRole.Suspect, "Iván", "Zamora Quiroga", 1958, Sensitivity.Open, "Sgt. Port") };
        for (var i = 0; i < SharedPhones; i++)
        {
            harbor.Add(Phone($"H-T{i:D3}", "H-PHONES", $"+1713556{i:D4}", "Det. Harbor"));
            port.Add(Phone($"P-T{i:D3}", "P-PHONES", $"+1713556{i:D4}", "Sgt. Port"));
        }
        await PublishAsync(HarborPolice, [.. harbor]);
        await PublishAsync(PortPolice, [.. port]);
        await PublishAsync(Shelter, Person("S-CLIENT", PersonRole.Victim, "Sofía", "Ramírez León", 1994, Sensitivity.Restricted, "Advocate Rosa Vega"));
        var expected = 1 + harbor.Count + port.Count + 1;
        await Eventually.UntilAsync(() => Gateway.WithDatabaseAsync(async db =>
                await db.Records.CountAsync() == expected && !await db.Set<MatchPending>().AnyAsync()),
            $"all {expected} records to be stored and matched");
    }

    /// <summary>Publishes <paramref name="records"/> as <paramref name="agency"/>'s connector, through its own broker user.</summary>
    public Task PublishAsync(string agency, params object[] records) => _buses.Single(b => b.Code == agency).PublishAsync(records);

    /// <summary>A real access token of a new local account of <paramref name="agency"/> in <paramref name="role"/> (code + PKCE).</summary>
    public async Task<string> TokenAsync(string agency, string role)
    {
        var account = await App.LocalAccountAsync(agency, role);
        using var browser = App.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid api",
            account.UserName, account.Password, account.TotpKey, CancellationToken.None);
        return tokens.AccessToken;
    }

    /// <summary>An open suspect record; the city's and the sheriff's are the same person.</summary>
    public static PersonRecordPublished Suspect(string localId, string official) => new()
    {
        LocalId = localId,
        Version = 1,
        PersonRole = PersonRole.Suspect,
        PersonGivenName = "Lucía",
        PersonSurName = "Fernández Ortega",
        PersonBirthDate = new PartialDate { Year = 1990, Month = 1, Day = 12 },
        PersonSex = PersonSex.Female,
        Labels = new RecordLabels
        {
            Sensitivity = Sensitivity.Open,
            ControlOfficial = new ControlOfficial { PersonFullName = official, ContactChannel = "+17135550101" },
            CaseTrackingID = "CASE-26-0042",
            Justification = "Subject of trafficking investigation 26-0042",
        },
    };

    private static PersonRecordPublished Person(string localId, PersonRole role, string given, string surname, int birthYear, Sensitivity sensitivity,
        string official) => new()
    {
        LocalId = localId,
        Version = 1,
        PersonRole = role,
        PersonGivenName = given,
        PersonSurName = surname,
        PersonBirthDate = new PartialDate { Year = birthYear, Month = 4, Day = 9 },
        PersonSex = role == PersonRole.Victim ? PersonSex.Female : PersonSex.Male,
        Labels = new RecordLabels
        {
            Sensitivity = sensitivity,
            ControlOfficial = new ControlOfficial { PersonFullName = official, ContactChannel = "+17135550188" },
            CaseTrackingID = "CASE-26-0077",
            Justification = role == PersonRole.Suspect ? "Subject of trafficking investigation 26-0077" : null,
        },
    };

    private static PhoneRecordPublished Phone(string localId, string subjectRef, string e164, string official) => new()
    {
        LocalId = localId,
        Version = 1,
        SubjectRef = subjectRef,
        TelephoneNumberFullID = e164,
        TelephoneNumberE164 = e164,
        ValidFromDate = new DateOnly(2026, 1, 1),
        Labels = new RecordLabels
        {
            Sensitivity = Sensitivity.Open,
            ControlOfficial = new ControlOfficial { PersonFullName = official, ContactChannel = "+17135550101" },
        },
    };

    private async Task AddAgencyAsync(string code, string name, AgencyKind kind = AgencyKind.LawEnforcement)
    {
        var password = await _virtualHost!.AddAgencyUserAsync(code);
        await Gateway.WithDatabaseAsync(async db =>
        {
            db.Agencies.Add(new Agency { Code = code, Name = name, Kind = kind, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        _buses.Add(await AgencyBus.StartAsync(code, password, _virtualHost.AmqpUri));
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        foreach (var bus in _buses)
        {
            await bus.DisposeAsync();
        }
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
