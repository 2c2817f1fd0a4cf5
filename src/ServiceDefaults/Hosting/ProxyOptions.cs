using System.ComponentModel.DataAnnotations;

namespace SharingHub.ServiceDefaults.Hosting;

/// <summary>
/// The reverse proxies (ingress, load balancer) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> headers a
/// host believes. Headers from any other peer are ignored, so a caller cannot spoof its address or scheme.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    /// <summary>Configuration section: <c>ForwardedHeaders</c>.</summary>
    public const string SectionName = "ForwardedHeaders";

    /// <summary>
    /// Addresses of trusted proxies (e.g. <c>10.0.0.7</c>). When both lists are empty only loopback is trusted
    /// (the framework's default), which suits a proxy on the same machine or pod.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form (e.g. <c>10.0.0.0/8</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a chain are believed (the framework's default is 1).</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !System.Net.IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"'{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        }
        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"'{network}' is not a network in CIDR form.", [nameof(KnownNetworks)]);
        }
    }
}
