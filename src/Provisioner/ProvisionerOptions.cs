using System.ComponentModel.DataAnnotations;

namespace SharingHub.Provisioner;

/// <summary>The provisioner's settings (section <c>Provisioner</c>); the administration password comes from the environment or a Secret, never appsettings.</summary>
public sealed class ProvisionerOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Provisioner";

    /// <summary>The RabbitMQ management API, e.g. <c>https://rabbitmq:15671/</c> (http only on loopback in Development).</summary>
    [Required]
    public Uri? ManagementUri { get; set; }

    /// <summary>The broker administration user (tag <c>administrator</c>): no other workload holds it.</summary>
    [Required]
    public string AdminUser { get; set; } = "";

    /// <summary>Its password (<c>Provisioner__AdminPassword</c> from a Secret).</summary>
    [Required]
    public string AdminPassword { get; set; } = "";

    /// <summary>The hub's virtual host.</summary>
    [Required]
    public string VirtualHost { get; set; } = "/";

    /// <summary>
    /// Where the provisioner writes a new agency's broker password (<c>CODE.secret</c>, mode 600), for the operator to
    /// hand to the agency; an existing file is reused, so a broker that lost its users gets the same passwords back.
    /// </summary>
    [Required]
    public string HandoverDirectory { get; set; } = "";

    /// <summary>Every agency is reconciled this often (drift: a user or queue removed by hand), besides every change.</summary>
    [Range(1, 86_400)]
    public int ResyncSeconds { get; set; } = 60;

    /// <summary>The longest wait between two attempts at an agency whose reconciliation failed (back-off doubles up to it).</summary>
    [Range(1, 3_600)]
    public int MaxRetrySeconds { get; set; } = 60;
}
