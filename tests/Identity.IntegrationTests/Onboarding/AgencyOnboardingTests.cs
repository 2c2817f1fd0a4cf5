using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Agencies;
using SharingHub.Gateway.GraphQL;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Identity.IntegrationTests.Onboarding;

/// <summary>
/// <c>registerAgency</c> and <c>disableAgency</c> with real tokens: the admin role only, the desired broker access
/// recorded for the provisioner, every step audited, and a disabled agency's users refused at once.
/// </summary>
public sealed class AgencyOnboardingTests(OnboardingFixture fixture) : IClassFixture<OnboardingFixture>
{
    private const string Register = """
        mutation Register($input: RegisterAgencyInput!) {
          registerAgency(input: $input) { agency { code name kind enabled regions brokerState } }
        }
        """;

    private const string Disable = """
        mutation Disable($code: String!) { disableAgency(input: { code: $code }) { agency { code enabled brokerState } } }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegisterAgency_AsAdmin_AgencyAndDesiredBrokerAccessRecordedAndAudited()
    {
        var admin = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Admin);
        var code = OnboardingFixture.NewAgencyCode();

        var response = await fixture.Client.PostAsync(Register, new { input = Input(code, "Harbor City PD", "PROSECUTION", "us", "MX") }, admin, Ct);

        Assert.True(response.ErrorCodes.Count == 0, response.ToString());
        var agency = response.Data.GetProperty("registerAgency").GetProperty("agency");
        Assert.Equal(code, agency.GetProperty("code").GetString());
        Assert.Equal("PROSECUTION", agency.GetProperty("kind").GetString());
        Assert.True(agency.GetProperty("enabled").GetBoolean());
        Assert.Equal(["US", "MX"], agency.GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("PENDING", agency.GetProperty("brokerState").GetString());
        var (row, access, audit) = await StoredAsync(code);
        Assert.Equal(("Harbor City PD", AgencyKind.Prosecution, "US", "MX"), (row.Name, row.Kind, row.Region, Assert.Single(row.NeighbourRegions)));
        Assert.Null(row.DisabledAt);
        Assert.Equal((true, code, $"sharinghub-alerts.{code}", BrokerState.Pending), (access.Enabled, access.UserName, access.AlertQueue, access.State));
        Assert.True(access.Generation > access.ObservedGeneration);
        var step = Assert.Single(audit);
        Assert.Equal((AgencyAuditActions.Register, true), (step.Action, step.Succeeded));
        Assert.StartsWith("registered; kind Prosecution; regions US,MX", step.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HubRoles.Officer)]
    [InlineData(HubRoles.Analyst)]
    [InlineData(HubRoles.Supervisor)]
    public async Task RegisterAndDisableAgency_NotAdmin_ForbiddenAndNothingWritten(string role)
    {
        var token = await fixture.TokenAsync(fixture.HubAgency, role);
        var admin = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Admin);
        var code = OnboardingFixture.NewAgencyCode();
        var registered = OnboardingFixture.NewAgencyCode();
        await fixture.Client.PostAsync(Register, new { input = Input(registered, "Registered PD", "LAW_ENFORCEMENT", "US") }, admin, Ct);

        var register = await fixture.Client.PostAsync(Register, new { input = Input(code, "Not Allowed PD", "LAW_ENFORCEMENT", "US") }, token, Ct);
        var disable = await fixture.Client.PostAsync(Disable, new { code = registered }, token, Ct);

        Assert.Equal([HubErrorCodes.Forbidden], register.ErrorCodes);
        Assert.Equal([HubErrorCodes.Forbidden], disable.ErrorCodes);
        var (exists, registeredDisabled, audited) = await fixture.Gateway.WithDatabaseAsync(async db => (
            await db.Agencies.AnyAsync(a => a.Code == code, Ct),
            await db.Agencies.Where(a => a.Code == registered).Select(a => a.DisabledAt != null).SingleAsync(Ct),
            await db.AuditEvents.CountAsync(e => e.Target == "agency " + registered, Ct)));
        Assert.False(exists);
        Assert.False(registeredDisabled);
        Assert.Equal(1, audited);
    }

    [Fact]
    public async Task RegisterAgency_BadCodeOrRegion_ValidationAndNothingWritten()
    {
        var admin = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Admin);

        var badCode = await fixture.Client.PostAsync(Register, new { input = Input("TX 1; DROP", "Bad PD", "LAW_ENFORCEMENT", "US") }, admin, Ct);
        var badRegion = await fixture.Client.PostAsync(Register, new { input = Input("TXBADREGION", "Bad PD", "LAW_ENFORCEMENT", "USA") }, admin, Ct);

        Assert.Equal(["VALIDATION"], badCode.ErrorCodes);
        Assert.Equal(["VALIDATION"], badRegion.ErrorCodes);
        Assert.False(await fixture.Gateway.WithDatabaseAsync(db => db.Agencies.AnyAsync(a => a.Code == "TXBADREGION", Ct)));
    }

    [Fact]
    public async Task DisableAgency_AsAdmin_ItsUsersRefusedAtOnceRecordsStayAccessDesiredDisabledAudited()
    {
        var admin = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Admin);
        var code = OnboardingFixture.NewAgencyCode();
        await fixture.Client.PostAsync(Register, new { input = Input(code, "Soon Disabled PD", "LAW_ENFORCEMENT", "US") }, admin, Ct);
        var member = await fixture.TokenAsync(fixture.Member, HubRoles.Officer);
        var before = await fixture.Client.PostAsync("{ me { agencyCode } }", null, member, Ct);

        var disabled = await fixture.Client.PostAsync(Disable, new { code = fixture.Member }, admin, Ct);
        var after = await fixture.Client.PostAsync("{ me { agencyCode } }", null, member, Ct);
        var again = await fixture.Client.PostAsync(Disable, new { code = fixture.Member }, admin, Ct);

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.True(disabled.ErrorCodes.Count == 0, disabled.ToString());
        Assert.False(disabled.Data.GetProperty("disableAgency").GetProperty("agency").GetProperty("enabled").GetBoolean());
        Assert.Equal("PENDING", disabled.Data.GetProperty("disableAgency").GetProperty("agency").GetProperty("brokerState").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, after.Status);
        Assert.True(again.ErrorCodes.Count == 0, again.ToString());
        var (row, access, audit) = await StoredAsync(fixture.Member);
        Assert.NotNull(row.DisabledAt);
        Assert.Equal((false, BrokerState.Pending), (access.Enabled, access.State));
        Assert.Equal(["disabled", "already disabled"], audit.Select(a => a.Detail!.Split(';')[0]));
        Assert.All(audit, a => Assert.Equal(AgencyAuditActions.Disable, a.Action));
        // The agency registered beside it is untouched.
        Assert.Null((await StoredAsync(code)).Agency.DisabledAt);
    }

    [Fact]
    public async Task DisableAgency_UnknownCode_NotFound()
    {
        var admin = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Admin);

        var response = await fixture.Client.PostAsync(Disable, new { code = "TXNOSUCH0" }, admin, Ct);

        Assert.Equal(["NOT_FOUND"], response.ErrorCodes);
    }

    [Fact]
    public async Task AgencyBrokerState_NotAdmin_Null()
    {
        var officer = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Officer);
        var admin = await fixture.TokenAsync(fixture.HubAgency, HubRoles.Admin);
        var code = OnboardingFixture.NewAgencyCode();
        await fixture.Client.PostAsync(Register, new { input = Input(code, "Visible PD", "VICTIM_SERVICES", "US") }, admin, Ct);

        var response = await fixture.Client.PostAsync("{ agencies { code kind brokerState } }", null, officer, Ct);

        var agency = response.Data.GetProperty("agencies").EnumerateArray().Single(a => a.GetProperty("code").GetString() == code);
        Assert.Equal("VICTIM_SERVICES", agency.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, agency.GetProperty("brokerState").ValueKind);
    }

    private static object Input(string code, string name, string kind, params string[] regions) => new { code, name, kind, regions };

    private Task<(Gateway.Data.Agency Agency, AgencyBrokerAccess Access, List<Gateway.Audit.AuditEvent> Audit)> StoredAsync(string code) =>
        fixture.Gateway.WithDatabaseAsync(async db => (
            await db.Agencies.AsNoTracking().SingleAsync(a => a.Code == code, Ct),
            await db.AgencyBrokerAccess.AsNoTracking().SingleAsync(a => a.AgencyCode == code, Ct),
            await db.AuditEvents.AsNoTracking().Where(e => e.Target == "agency " + code).OrderBy(e => e.Id).ToListAsync(Ct)));
}
