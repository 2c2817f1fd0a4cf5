namespace SharingHub.ServiceDefaults.Agencies;

/// <summary>
/// What the broker gives an agency, defined once for the Gateway (which relays alerts to the queue), the provisioner
/// (which creates the user, its permissions and the queue) and the tests: a user named by the agency's code that may
/// publish to the hub's record exchanges and read its own alert queue, nothing else (docs/security.md), and that
/// queue: durable, quorum, bound to <see cref="AlertExchange"/> by the agency's code (ADR-011, ADR-014).
/// </summary>
public static class AgencyBrokerTopology
{
    /// <summary>The direct exchange the Gateway's relay publishes every alert to, routed by agency code.</summary>
    public const string AlertExchange = "sharinghub-alerts";

    /// <summary>Deliveries of one alert message to an agency's consumers before the broker dead-letters it.</summary>
    public const int AlertDeliveryLimit = 20;

    /// <summary>An agency user's configure permission: nothing (it declares nothing).</summary>
    public const string ConfigurePermission = "^$";

    /// <summary>An agency user's write permission: the hub's record exchanges (MassTransit names them by message type).</summary>
    public const string WritePermission = @"^SharingHub\.Contracts\.V1:.*$";

    /// <summary>The alert queue of agency <paramref name="code"/>.</summary>
    public static string AlertQueueOf(string code) => $"{AlertExchange}.{code}";

    /// <summary>An agency user's read permission: its own alert queue only (codes hold only letters, digits, _ and -).</summary>
    public static string ReadPermission(string code) => $@"^{AlertExchange}\.{code}$";

    /// <summary>The arguments of an agency's alert queue (a redeclaration with other arguments is refused by the broker).</summary>
    public static Dictionary<string, object?> AlertQueueArguments => new(StringComparer.Ordinal)
    {
        ["x-queue-type"] = "quorum",
        ["x-delivery-limit"] = AlertDeliveryLimit,
    };
}
