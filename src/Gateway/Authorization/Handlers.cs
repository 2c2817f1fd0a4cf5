using Microsoft.AspNetCore.Authorization;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Gateway.Authorization;

/// <summary>
/// Read of a record: enforcement roles only (never advocates); their own agency's records, or another agency's
/// record that a match and its labels release to them. A denied read must answer "not found" to the caller.
/// </summary>
public sealed class RecordOperationHandler : AuthorizationHandler<OperationRequirement, RecordResource>
{
    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationRequirement requirement, RecordResource resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        if (requirement != RecordOperations.Read || HubPrincipal.From(context.User) is not { } principal)
        {
            return Task.CompletedTask;
        }
        if (principal.MayReachEnforcementData
            && (resource.OwnerAgency == principal.Agency || resource.ReleasedToReader))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Adjudication of a match: an officer, analyst or supervisor of one of its two agencies.</summary>
public sealed class MatchOperationHandler : AuthorizationHandler<OperationRequirement, MatchResource>
{
    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationRequirement requirement, MatchResource resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        if (requirement != RecordOperations.Adjudicate || HubPrincipal.From(context.User) is not { } principal)
        {
            return Task.CompletedTask;
        }
        if (principal.MayReachEnforcementData
            && (resource.AgencyA == principal.Agency || resource.AgencyB == principal.Agency))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Acknowledgement of an alert addressed to the caller's agency: enforcement roles for any alert; advocates
/// only for protective alerts.
/// </summary>
public sealed class AlertOperationHandler : AuthorizationHandler<OperationRequirement, AlertResource>
{
    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationRequirement requirement, AlertResource resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        if (requirement != RecordOperations.Acknowledge || HubPrincipal.From(context.User) is not { } principal
            || resource.AddresseeAgency != principal.Agency)
        {
            return Task.CompletedTask;
        }
        if (principal.MayReachEnforcementData || (resource.IsProtective && principal.IsInRole(HubRoles.Advocate)))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Enforces <see cref="EnforcementDataRequirement"/>.</summary>
public sealed class EnforcementDataHandler : AuthorizationHandler<EnforcementDataRequirement>
{
    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, EnforcementDataRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (HubPrincipal.From(context.User) is { MayReachEnforcementData: true })
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
