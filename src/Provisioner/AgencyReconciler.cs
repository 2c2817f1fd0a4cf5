using Microsoft.Extensions.Options;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Provisioner;

/// <summary>
/// Brings the broker and Identity to one agency's registered state, the way an operator would: Identity's agency row
/// (enabled or disabled, so that Identity refuses a disabled agency's people and clients their tokens); for an enabled
/// agency its user (password from <see cref="AgencySecrets"/>), exactly <see cref="AgencyBrokerTopology"/>'s
/// permissions and its alert queue, bound to the alert exchange; for a disabled one, no permissions and no open
/// connection, so the broker refuses its connector at once. Idempotent: it changes only what differs and says what it changed.
/// </summary>
internal sealed class AgencyReconciler(
    BrokerAdministration broker,
    IdentityAgencies identity,
    AgencySecrets secrets,
    IOptions<ProvisionerOptions> options)
{
    /// <summary>Reconciles <paramref name="agency"/>.</summary>
    /// <returns>The state the broker is now in, and the steps that changed something (empty when all was in place).</returns>
    public async Task<(BrokerState State, IReadOnlyList<string> Changes)> ReconcileAsync(DesiredAgency agency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agency);
        var virtualHost = options.Value.VirtualHost;
        var user = agency.UserName;
        var changes = new List<string>();
        // Identity first: a disabled agency's people and clients get no token from the moment the row says so.
        if (await identity.UpsertAsync(agency.Code, agency.Name, agency.Kind, disabled: !agency.Enabled, cancellationToken))
        {
            changes.Add(agency.Enabled
                ? "Identity's agency row written (enabled)"
                : "Identity's agency row written (disabled: Identity issues its users and clients no tokens)");
        }
        if (!agency.Enabled)
        {
            // Permissions first, so that the connector's reconnect after the close is refused.
            if (await broker.DeletePermissionsAsync(virtualHost, user, cancellationToken))
            {
                changes.Add("permissions removed");
            }
            if (await broker.CloseConnectionsAsync(user, cancellationToken) is > 0 and var closed)
            {
                changes.Add($"{closed} connection(s) closed");
            }
            return (BrokerState.Disabled, changes);
        }

        if (!await broker.UserExistsAsync(user, cancellationToken))
        {
            await broker.CreateUserAsync(user, await secrets.GetOrCreateAsync(agency.Code, cancellationToken), cancellationToken);
            changes.Add("user created (its password in the agency's secret file)");
        }
        if (await broker.DeclareDirectExchangeAsync(virtualHost, AgencyBrokerTopology.AlertExchange, cancellationToken))
        {
            changes.Add("alert exchange declared");
        }
        var queue = AgencyBrokerTopology.AlertQueueOf(agency.Code);
        if (await broker.DeclareQueueAsync(virtualHost, queue, AgencyBrokerTopology.AlertQueueArguments, cancellationToken))
        {
            changes.Add($"queue {queue} declared");
        }
        if (await broker.EnsureBindingAsync(virtualHost, AgencyBrokerTopology.AlertExchange, queue, agency.Code, cancellationToken))
        {
            changes.Add($"queue {queue} bound");
        }
        var wanted = new BrokerPermissions(AgencyBrokerTopology.ConfigurePermission, AgencyBrokerTopology.WritePermission,
            AgencyBrokerTopology.ReadPermission(agency.Code));
        if (await broker.PermissionsAsync(virtualHost, user, cancellationToken) != wanted)
        {
            await broker.SetPermissionsAsync(virtualHost, user, wanted, cancellationToken);
            changes.Add("permissions set (publish records, read its alert queue)");
        }
        return (BrokerState.Ready, changes);
    }
}
