namespace SharingHub.ServiceDefaults.Agencies;

/// <summary>
/// What the broker holds for an agency, as the provisioner last saw it: written by the provisioner, shown by the
/// Gateway (<c>Agency.brokerState</c>). Stored by name (<c>agency_broker_access.state</c>), so the names are stored values.
/// </summary>
public enum BrokerState
{
    /// <summary>The desired state changed and the provisioner has not reconciled it yet.</summary>
    Pending,

    /// <summary>The user exists with the agency's permissions, and its alert queue exists.</summary>
    Ready,

    /// <summary>The user has no permissions and no open connection: the broker refuses it.</summary>
    Disabled,

    /// <summary>The last reconciliation failed; the provisioner retries (the state detail says why).</summary>
    Failed,
}
