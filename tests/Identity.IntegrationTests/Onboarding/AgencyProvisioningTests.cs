using System.Net;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using SharingHub.Identity.Cli;
using SharingHub.Identity.IntegrationTests.Inbox;
using SharingHub.Identity.IntegrationTests.Infrastructure;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;
using SharingHub.TestSupport;

namespace SharingHub.Identity.IntegrationTests.Onboarding;

/// <summary>
/// Issue 15's "done when", end to end on real PostgreSQL, RabbitMQ and Identity: agencies registered through GraphQL
/// are provisioned on the broker and in Identity by the provisioner (its own role, the administration credential),
/// publish through their own broker users, and their records match; disabling one refuses its connector at once, on
/// the broker and at the Gateway, and keeps its records.
/// </summary>
public sealed class AgencyProvisioningTests(ProvisioningFixture fixture) : IClassFixture<ProvisioningFixture>
{
    private const string Register = """
        mutation Register($input: RegisterAgencyInput!) { registerAgency(input: $input) { agency { code } } }
        """;

    private static readonly string[] UnitedStates = ["US"];

    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegisterAgency_ThroughGraphQL_PublishesMatchesAndDisableRefusesItsConnectorAtOnce()
    {
        var admin = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Admin);
        var (city, county) = (OnboardingFixture.NewAgencyCode(), OnboardingFixture.NewAgencyCode());
        foreach (var (code, name) in new[] { (city, "Harbor City PD"), (county, "Harbor County SO") })
        {
            var registered = await fixture.Client.PostAsync(Register,
                new { input = new { code, name, kind = "LAW_ENFORCEMENT", regions = UnitedStates } }, admin, Ct);
            Assert.True(registered.ErrorCodes.Count == 0, registered.ToString());
        }
        await WaitForBrokerStateAsync(admin, city, "READY");
        await WaitForBrokerStateAsync(admin, county, "READY");

        // Identity knows the agencies now: their people can be added and sign in.
        var cityOfficer = await fixture.TokenAsync(city, HubRoles.Officer);
        // The broker holds exactly the agency's definition, and its alert queue.
        var management = fixture.VirtualHost.Management;
        var vhost = Uri.EscapeDataString(fixture.VirtualHost.Name);
        var permissions = await management.GetStringAsync($"api/permissions/{vhost}/{city}", Ct);
        Assert.Contains($"\"read\":\"{AgencyBrokerTopology.ReadPermission(city).Replace(@"\", @"\\", StringComparison.Ordinal)}\"", permissions, StringComparison.Ordinal);
        Assert.Contains("\"configure\":\"^$\"", permissions, StringComparison.Ordinal);
        using (var queue = await management.GetAsync($"api/queues/{vhost}/{Uri.EscapeDataString(AgencyBrokerTopology.AlertQueueOf(city))}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        }

        // Each publishes through its own broker user, with the password the provisioner made; the records match.
        await using (var cityBus = await AgencyBus.StartAsync(city, fixture.SecretOf(city), fixture.VirtualHost.AmqpUri))
        await using (var countyBus = await AgencyBus.StartAsync(county, fixture.SecretOf(county), fixture.VirtualHost.AmqpUri))
        {
            await cityBus.PublishAsync(InboxFixture.Suspect("C-1", "Det. Ana Ruiz"));
            await countyBus.PublishAsync(InboxFixture.Suspect("K-1", "Sgt. Lee"));
            await Eventually.UntilAsync(() => fixture.Gateway.WithDatabaseAsync(db => db.Matches.AnyAsync(m =>
                (m.AgencyA == city && m.AgencyB == county) || (m.AgencyA == county && m.AgencyB == city), Ct)),
                "the two agencies' records to match", cancellationToken: Ct);
        }

        // A connection the city's connector holds when it is disabled.
        var factory = new ConnectionFactory
        {
            Uri = new UriBuilder(fixture.VirtualHost.AmqpUri) { UserName = city, Password = fixture.SecretOf(city) }.Uri,
            AutomaticRecoveryEnabled = false,
        };
        await using var connector = await factory.CreateConnectionAsync(Ct);
        Assert.True(connector.IsOpen);

        var disabled = await fixture.Client.PostAsync("mutation { disableAgency(input: { code: \"" + city + "\" }) { agency { enabled } } }", null, admin, Ct);
        Assert.True(disabled.ErrorCodes.Count == 0, disabled.ToString());

        // The Gateway refuses its people from the commit on; the broker closes and refuses its connector.
        var me = await fixture.Client.PostAsync("{ me { agencyCode } }", null, cityOfficer, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, me.Status);
        await Eventually.UntilAsync(() => !connector.IsOpen, "the disabled agency's open connection to be closed", AtOnce, Ct);
        await WaitForBrokerStateAsync(admin, city, "DISABLED");
        using (var revoked = await management.GetAsync($"api/permissions/{vhost}/{city}", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, revoked.StatusCode);
        }
        // The broker refuses the vhost at connection.open (the client may hand back the connection it then closes).
        var refused = await Record.ExceptionAsync(async () =>
        {
            await using var again = await factory.CreateConnectionAsync(Ct);
            await using var channel = await again.CreateChannelAsync(cancellationToken: Ct);
        });
        Assert.NotNull(refused);
        // Its records stay; the other agency is untouched.
        Assert.True(await fixture.Gateway.WithDatabaseAsync(db => db.Records.AnyAsync(r => r.AgencyCode == city, Ct)));
        await using var countyAgain = await new ConnectionFactory
        {
            Uri = new UriBuilder(fixture.VirtualHost.AmqpUri) { UserName = county, Password = fixture.SecretOf(county) }.Uri,
        }.CreateConnectionAsync(Ct);
        Assert.True(countyAgain.IsOpen);
        // Each step is audited: the administrator's and the provisioner's.
        var audit = await fixture.Gateway.WithDatabaseAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Target == "agency " + city).OrderBy(e => e.Id).Select(e => new { e.Actor, e.Action, e.Detail }).ToListAsync(Ct));
        Assert.Equal(["agency.register", "agency.broker", "agency.disable", "agency.broker"], audit.Take(4).Select(a => a.Action));
        Assert.Equal("provisioner", audit[1].Actor);
        Assert.Contains("user created", audit[1].Detail, StringComparison.Ordinal);
        Assert.Contains("permissions removed", audit[3].Detail, StringComparison.Ordinal);
        Assert.Contains(audit.Skip(3), a => a.Action == "agency.broker" && a.Detail!.Contains("1 connection(s) closed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DisableAgency_Identity_RefusesItsUsersAndClientsTokensWithTheReasonAuditedAndEnablingAgainLetsThemIn()
    {
        var admin = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Admin);
        // The member is known to Identity from the start, with a connector client (client credentials) of its own.
        var code = fixture.Member;
        var connector = SharingHub.Identity.Seeding.Seeder.DemoConnectorId(code);
        var connectorSecret = fixture.App.ClientSecret(connector);
        await RegisterAsync(admin, code);
        await WaitForBrokerStateAsync(admin, code, "READY");
        var account = await fixture.App.LocalAccountAsync(code, HubRoles.Officer);
        using var browser = fixture.App.CreateBrowser();
        var tokens = await browser.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid offline_access api",
            account.UserName, account.Password, account.TotpKey, Ct);
        Assert.Equal(HttpStatusCode.OK, (await fixture.App.ClientCredentialsAsync(connector, connectorSecret)).Status);

        var disabled = await fixture.Client.PostAsync("mutation { disableAgency(input: { code: \"" + code + "\" }) { agency { enabled } } }", null, admin, Ct);
        Assert.True(disabled.ErrorCodes.Count == 0, disabled.ToString());
        await WaitForBrokerStateAsync(admin, code, "DISABLED");

        // A refresh: invalid_grant, saying why.
        var refresh = await Assert.ThrowsAsync<HeadlessLoginException>(() => browser.TokenRequestAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = tokens.RefreshToken!,
            ["client_id"] = IdentityApp.CliClient,
        }, Ct));
        Assert.Equal("invalid_grant", refresh.Error);
        Assert.Contains($"agency {code} is disabled", refresh.Message, StringComparison.Ordinal);
        // A new sign-in (password and one-time code right): access_denied back to the client, saying why.
        var again = await fixture.App.LocalAccountAsync(code, HubRoles.Officer);
        using (var second = fixture.App.CreateBrowser())
        {
            var signIn = await Assert.ThrowsAsync<HeadlessLoginException>(() => second.LoginAsync(IdentityApp.CliClient, null,
                IdentityApp.CliRedirectUri, "openid api", again.UserName, again.Password, again.TotpKey, Ct));
            Assert.Contains("access_denied", signIn.Message, StringComparison.Ordinal);
            Assert.Contains($"agency {code} is disabled", signIn.Message, StringComparison.Ordinal);
        }
        // Its connector's client credentials: unauthorized_client, saying why.
        var (status, body) = await fixture.App.ClientCredentialsAsync(connector, connectorSecret);
        Assert.NotEqual(HttpStatusCode.OK, status);
        Assert.Equal("unauthorized_client", body.GetProperty("error").GetString());
        Assert.Contains($"agency {code} is disabled", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        // Audited: the refusals in Identity's log, the provisioner's step in the Gateway's.
        var refusals = (await fixture.App.AuditAsync()).Where(a => a.Outcome == SharingHub.Identity.Audit.AuditOutcome.Failure
            && a.Detail is { } d && d.Contains($"agency {code} is disabled", StringComparison.Ordinal)).Select(a => a.Event).ToList();
        Assert.Equal(2, refusals.Count(e => e == SharingHub.Identity.Audit.AuditEvents.TokenRefused));
        Assert.Contains(SharingHub.Identity.Audit.AuditEvents.LocalLogon, refusals);
        Assert.True(await fixture.Gateway.WithDatabaseAsync(db => db.AuditEvents.AnyAsync(e => e.Target == "agency " + code
            && e.Action == "agency.broker" && EF.Functions.Like(e.Detail!, "%Identity's agency row written (disabled%"), Ct)));

        // Registered again: enabled, and its people and clients get tokens again.
        await RegisterAsync(admin, code);
        await WaitForBrokerStateAsync(admin, code, "READY");
        // (A new account: the other's one-time code of this 30-second step is spent.)
        var third = await fixture.App.LocalAccountAsync(code, HubRoles.Officer);
        using (var browserAgain = fixture.App.CreateBrowser())
        {
            var back = await browserAgain.LoginAsync(IdentityApp.CliClient, null, IdentityApp.CliRedirectUri, "openid api",
                third.UserName, third.Password, third.TotpKey, Ct);
            Assert.False(string.IsNullOrEmpty(back.AccessToken));
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.App.ClientCredentialsAsync(connector, connectorSecret)).Status);
    }

    private async Task RegisterAsync(string admin, string code)
    {
        var registered = await fixture.Client.PostAsync(Register,
            new { input = new { code, name = "Test Member Police", kind = "LAW_ENFORCEMENT", regions = UnitedStates } }, admin, Ct);
        Assert.True(registered.ErrorCodes.Count == 0, registered.ToString());
    }

    private async Task WaitForBrokerStateAsync(string admin, string code, string state) =>
        await Eventually.UntilAsync(async () =>
        {
            var response = await fixture.Client.PostAsync("{ agencies { code brokerState } }", null, admin, Ct);
            return response.Data.GetProperty("agencies").EnumerateArray()
                .Single(a => a.GetProperty("code").GetString() == code).GetProperty("brokerState").ToString();
        }, s => s == state, $"the provisioner to report agency {code} {state}", AtOnce, Ct);
}
