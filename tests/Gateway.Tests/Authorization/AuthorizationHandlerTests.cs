using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using SharingHub.Gateway.Authorization;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Gateway.Tests.Authorization;

/// <summary>Truth tables of Gateway's operation handlers: roles × agencies × release (pure, no server).</summary>
public sealed class AuthorizationHandlerTests
{
    private const string Own = "TX0010100";
    private const string Other = "TX0020200";

    [Theory]
    // role, record owner, released to the reader by a match, expected
    [InlineData(HubRoles.Officer, Own, false, true)]
    [InlineData(HubRoles.Analyst, Own, false, true)]
    [InlineData(HubRoles.Supervisor, Own, false, true)]
    [InlineData(HubRoles.Officer, Other, false, false)]
    [InlineData(HubRoles.Officer, Other, true, true)]
    [InlineData(HubRoles.Advocate, Own, false, false)]
    [InlineData(HubRoles.Advocate, Other, true, false)]
    [InlineData(HubRoles.Admin, Own, false, false)]
    [InlineData(HubRoles.Connector, Own, false, false)]
    public async Task Read_RoleAgencyRelease_MatchesTruthTable(string role, string owner, bool released, bool expected)
    {
        var result = await AuthorizeAsync(Principal(Own, role), new RecordResource(owner, released), RecordOperations.Read);

        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData(HubRoles.Supervisor, Own, Other, true)]
    [InlineData(HubRoles.Analyst, Other, Own, true)]
    [InlineData(HubRoles.Officer, Other, "US0030300", false)]
    [InlineData(HubRoles.Advocate, Own, Other, false)]
    [InlineData(HubRoles.Admin, Own, Other, false)]
    public async Task Adjudicate_RoleAndMatchAgencies_MatchesTruthTable(string role, string agencyA, string agencyB, bool expected)
    {
        var result = await AuthorizeAsync(Principal(Own, role), new MatchResource(agencyA, agencyB), RecordOperations.Adjudicate);

        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData(HubRoles.Officer, Own, false, true)]
    [InlineData(HubRoles.Officer, Own, true, true)]
    [InlineData(HubRoles.Officer, Other, false, false)]
    [InlineData(HubRoles.Advocate, Own, true, true)]
    [InlineData(HubRoles.Advocate, Own, false, false)]
    [InlineData(HubRoles.Advocate, Other, true, false)]
    [InlineData(HubRoles.Connector, Own, false, false)]
    public async Task Acknowledge_RoleAgencyProtective_MatchesTruthTable(string role, string addressee, bool protective, bool expected)
    {
        var result = await AuthorizeAsync(Principal(Own, role), new AlertResource(addressee, protective), RecordOperations.Acknowledge);

        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData(new[] { HubRoles.Officer }, true)]
    [InlineData(new[] { HubRoles.Advocate }, false)]
    [InlineData(new[] { HubRoles.Advocate, HubRoles.Officer }, false)]
    [InlineData(new[] { HubRoles.Admin }, false)]
    public async Task EnforcementData_Roles_AdvocatesNeverReachIt(string[] roles, bool expected)
    {
        var result = await AuthorizeAsync(Principal(Own, roles), resource: null, EnforcementDataRequirement.Instance);

        Assert.Equal(expected, result);
    }

    [Fact]
    public async Task Read_WrongOperationForResource_IsNotGranted()
    {
        var result = await AuthorizeAsync(Principal(Own, HubRoles.Supervisor), new RecordResource(Own, false), RecordOperations.Adjudicate);

        Assert.False(result);
    }

    private static ClaimsPrincipal Principal(string agency, params string[] roles)
    {
        var identity = new ClaimsIdentity("test");
        identity.AddClaim(new Claim(HubClaimTypes.Subject, "s-1"));
        identity.AddClaim(new Claim(HubClaimTypes.Agency, agency));
        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(HubClaimTypes.Role, role));
        }
        return new ClaimsPrincipal(identity);
    }

    private static async Task<bool> AuthorizeAsync(ClaimsPrincipal user, object? resource, IAuthorizationRequirement requirement)
    {
        var context = new AuthorizationHandlerContext([requirement], user, resource);
        IAuthorizationHandler[] handlers = [new RecordOperationHandler(), new MatchOperationHandler(),
            new AlertOperationHandler(), new EnforcementDataHandler()];
        foreach (var handler in handlers)
        {
            await handler.HandleAsync(context);
        }
        return context.HasSucceeded;
    }
}
