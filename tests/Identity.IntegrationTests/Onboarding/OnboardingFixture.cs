using System.Collections.Concurrent;
using SharingHub.Gateway.Data;
using SharingHub.Identity.IntegrationTests.GraphQL;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.Onboarding;

/// <summary>
/// Onboarding through the API: a real Identity issuing real tokens and a Gateway on a real port, on their own
/// databases, with two member agencies known to both: <see cref="HubAgency"/> (whose admin registers and disables
/// agencies) and <see cref="Member"/> (an agency a test may disable). No records: onboarding needs none.
/// </summary>
public class OnboardingFixture : IdentityFixture
{
    private readonly ConcurrentDictionary<(string Agency, string Role), Task<string>> _tokens = new();
    private TestDatabase? _hubDatabase;
    private TestVirtualHost? _virtualHost;

    /// <summary>The agency of the hub's administrators.</summary>
    public string HubAgency { get; } = NewAgencyCode();

    /// <summary>A law-enforcement member agency.</summary>
    public string Member { get; } = NewAgencyCode();

    /// <summary>The Gateway's database.</summary>
    public TestDatabase HubDatabase => _hubDatabase ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The test class's own virtual host, which the Gateway consumes.</summary>
    public TestVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The Gateway under test.</summary>
    public GatewayApp Gateway { get; private set; } = null!;

    /// <summary>A client of the Gateway's <c>/graphql</c>.</summary>
    public GraphQLClient Client { get; private set; } = null!;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Seeding:Agencies:0:Code"] = HubAgency,
        ["Seeding:Agencies:0:Name"] = "Test Task Force Hub",
        ["Seeding:Agencies:0:Kind"] = "lawEnforcement",
        ["Seeding:Agencies:1:Code"] = Member,
        ["Seeding:Agencies:1:Name"] = "Test Member Police",
        ["Seeding:Agencies:1:Kind"] = "lawEnforcement",
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
        })
        {
            Environment = "Development",
        };
        Client = new GraphQLClient(new Uri(Gateway.StartOnRealPort(), "graphql"));
        await Gateway.MigrateAsync();
        await Gateway.WithDatabaseAsync(async db =>
        {
            db.Agencies.Add(new Agency { Code = HubAgency, Name = "Test Task Force Hub", Kind = AgencyKind.LawEnforcement, CreatedAt = DateTimeOffset.UtcNow });
            db.Agencies.Add(new Agency { Code = Member, Name = "Test Member Police", Kind = AgencyKind.LawEnforcement, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
    }

    /// <summary>A real access token (authorization code + PKCE) of a new local account of <paramref name="agency"/> in <paramref name="role"/>.</summary>
    public Task<string> TokenAsync(string agency, string role) => _tokens.GetOrAdd((agency, role), async key =>
    {
        var account = await App.LocalAccountAsync(key.Agency, key.Role);
        using var browser = App.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid api",
            account.UserName, account.Password, account.TotpKey, CancellationToken.None);
        return tokens.AccessToken;
    });

    /// <summary>A fresh agency code no test has used.</summary>
    public static string NewAgencyCode() => $"TX{Random.Shared.Next(1_000_000, 10_000_000)}";

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
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
        GC.SuppressFinalize(this);
    }
}
