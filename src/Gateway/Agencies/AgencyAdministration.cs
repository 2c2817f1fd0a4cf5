using Microsoft.AspNetCore.Authorization;
using Npgsql;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Gateway.Agencies;

/// <summary>The onboarding operations (bitwarden style: static requirement instances).</summary>
public static class AgencyOperations
{
    /// <summary>Register an agency, change one, or enable a disabled one (<c>registerAgency</c>).</summary>
    public static readonly OperationRequirement Register = new("RegisterAgency");

    /// <summary>Disable an agency (<c>disableAgency</c>).</summary>
    public static readonly OperationRequirement Disable = new("DisableAgency");

    /// <summary>See an agency's broker access (<c>Agency.brokerState</c>).</summary>
    public static readonly OperationRequirement ReadBrokerAccess = new("ReadBrokerAccess");
}

/// <summary>Onboarding is the hub administrators' (role <c>admin</c>), whatever their agency; no other role may.</summary>
public sealed class AgencyAdministrationHandler : AuthorizationHandler<OperationRequirement>
{
    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if ((requirement == AgencyOperations.Register || requirement == AgencyOperations.Disable || requirement == AgencyOperations.ReadBrokerAccess)
            && HubPrincipal.From(context.User) is { } principal && principal.IsInRole(HubRoles.Admin))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>The caller's agency is not disabled: part of every hub user policy, so a disabled agency's users are refused at once.</summary>
public sealed class ActiveAgencyRequirement : IAuthorizationRequirement
{
    /// <summary>The one instance.</summary>
    public static readonly ActiveAgencyRequirement Instance = new();

    private ActiveAgencyRequirement() { }
}

/// <summary>
/// Fails a caller whose agency is disabled; an agency the Gateway does not know passes (it reads nothing: no kind).
/// Reads the agency's <c>disabled_at</c> from the database on every check (one primary-key lookup, a prepared
/// statement on the request path's pool, <see cref="Extensions.RequestDataSourceKey"/>), not the
/// <see cref="AgencyDirectory"/>'s copy: the copy follows a change only when the <c>agencies</c> notification arrives,
/// and "refused at once" must hold on every replica from the commit on.
/// </summary>
internal sealed class ActiveAgencyHandler([FromKeyedServices(Extensions.RequestDataSourceKey)] NpgsqlDataSource dataSource)
    : AuthorizationHandler<ActiveAgencyRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ActiveAgencyRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (HubPrincipal.From(context.User) is not { } principal)
        {
            return;
        }
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM agencies WHERE code = $1 AND disabled_at IS NOT NULL)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = principal.Agency });
        if (!(bool)(await command.ExecuteScalarAsync(CancellationToken.None))!)
        {
            context.Succeed(requirement);
        }
    }
}
