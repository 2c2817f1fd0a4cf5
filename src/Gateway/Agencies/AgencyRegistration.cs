using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SharingHub.Gateway.Audit;
using SharingHub.Gateway.Data;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.Agencies;

/// <summary>What an administrator registers: the agency and its phone regions (the default first).</summary>
public sealed record AgencyRegistrationRequest(string Code, string Name, AgencyKind Kind, IReadOnlyList<string> Regions);

/// <summary>
/// Registers and disables agencies: the agency's row and the broker access it should have (desired state, for the
/// provisioner), in one transaction with the audit row. It never touches the broker (ADR-014).
/// </summary>
internal sealed partial class AgencyRegistration(HubDbContext db, AgencyDirectory directory, TimeProvider time)
{
    /// <summary>The longest display name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>
    /// Registers <paramref name="request"/>'s agency, or brings a registered one to it (name, kind, regions) and
    /// enables it again if it was disabled. Either way its broker access is desired enabled.
    /// </summary>
    /// <exception cref="AgencyRegistrationException">The request breaks a rule; nothing was written.</exception>
    public async Task<Agency> RegisterAsync(AgencyRegistrationRequest request, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (code, name, regions) = Validate(request);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // FOR UPDATE: two administrators registering one code at once serialize here rather than race to an insert.
        var agency = await db.Agencies.FromSql($"SELECT * FROM agencies WHERE code = {code} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        var created = agency is null;
        if (agency is null)
        {
            agency = new Agency { Code = code, Name = name, CreatedAt = time.GetUtcNow() };
            db.Agencies.Add(agency);
        }
        var wasDisabled = agency.DisabledAt is not null;
        agency.Name = name;
        agency.Kind = request.Kind;
        agency.Region = regions[0];
        agency.NeighbourRegions = [.. regions.Skip(1)];
        agency.DisabledAt = null;
        var access = await db.AgencyBrokerAccess.SingleOrDefaultAsync(a => a.AgencyCode == code, cancellationToken);
        if (access is null)
        {
            access = new AgencyBrokerAccess { AgencyCode = code, UserName = code, AlertQueue = AgencyBrokerAccess.AlertQueueOf(code) };
            db.AgencyBrokerAccess.Add(access);
        }
        if (!access.Enabled || created || access.State != BrokerState.Ready)
        {
            access.Enabled = true;
            access.Generation++;
            access.State = BrokerState.Pending;
        }
        Audit(actor, AgencyAuditActions.Register, code, string.Create(CultureInfo.InvariantCulture,
            $"{(created ? "registered" : wasDisabled ? "enabled again" : "updated")}; kind {request.Kind}; regions {string.Join(',', regions)}; broker access desired enabled (user {access.UserName}, queue {access.AlertQueue}), generation {access.Generation}"));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // This replica's next request sees the change without waiting for the agencies notification (ADR-014).
        directory.Invalidate();
        return agency;
    }

    /// <summary>
    /// Disables the agency: its users are refused from now on, its broker access is desired disabled, its records stay.
    /// Disabling a disabled agency changes nothing (and is audited as such).
    /// </summary>
    /// <returns>The agency, or null when no agency has <paramref name="code"/>.</returns>
    public async Task<Agency?> DisableAsync(string code, string actor, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var agency = await db.Agencies.FromSql($"SELECT * FROM agencies WHERE code = {code} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (agency is null)
        {
            return null;
        }
        var already = agency.DisabledAt is not null;
        agency.DisabledAt ??= time.GetUtcNow();
        var access = await db.AgencyBrokerAccess.SingleOrDefaultAsync(a => a.AgencyCode == code, cancellationToken);
        if (access is null)
        {
            // An agency registered before the provisioner (./hub agency add's old path): its user is disabled all the same.
            access = new AgencyBrokerAccess { AgencyCode = code, UserName = code, AlertQueue = AgencyBrokerAccess.AlertQueueOf(code) };
            db.AgencyBrokerAccess.Add(access);
        }
        if (access.Enabled || access.State is not BrokerState.Disabled)
        {
            access.Enabled = false;
            access.Generation++;
            access.State = BrokerState.Pending;
        }
        Audit(actor, AgencyAuditActions.Disable, code, string.Create(CultureInfo.InvariantCulture,
            $"{(already ? "already disabled" : "disabled")}; records kept; broker access desired disabled (user {access.UserName}), generation {access.Generation}"));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // This replica's next request sees the change without waiting for the agencies notification (ADR-014).
        directory.Invalidate();
        return agency;
    }

    private static (string Code, string Name, string[] Regions) Validate(AgencyRegistrationRequest request)
    {
        var code = request.Code.Trim();
        if (!CodePattern().IsMatch(code))
        {
            throw new AgencyRegistrationException("code must be 2-16 letters, digits, _ or -, starting with a letter or digit (it is also the agency's broker user and its code in Identity).");
        }
        var name = request.Name.Trim();
        if (name.Length == 0 || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            throw new AgencyRegistrationException($"name must be 1-{MaxNameLength} characters without control characters.");
        }
        if (!Enum.IsDefined(request.Kind))
        {
            throw new AgencyRegistrationException("kind must be LAW_ENFORCEMENT, PROSECUTION or VICTIM_SERVICES.");
        }
        var regions = request.Regions.Select(r => r.Trim().ToUpperInvariant()).ToArray();
        if (regions.Length == 0 || regions.Any(r => !RegionPattern().IsMatch(r)) || regions.Distinct(StringComparer.Ordinal).Count() != regions.Length)
        {
            throw new AgencyRegistrationException("regions must be distinct ISO 3166-1 alpha-2 codes, the default first and then any neighbouring regions whose numbers are read when invalid in it, e.g. [\"US\", \"MX\"].");
        }
        return (code, name, regions);
    }

    private void Audit(string actor, string action, string code, string detail) => db.AuditEvents.Add(new AuditEvent
    {
        OccurredAt = time.GetUtcNow(),
        Actor = actor.Length > 200 ? actor[..200] : actor,
        Action = action,
        Target = "agency " + code,
        Succeeded = true,
        Detail = detail,
    });

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{1,15}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}

/// <summary>A registration broke a rule (VALIDATION); the message says which.</summary>
internal sealed class AgencyRegistrationException(string message) : Exception(message);

/// <summary>Names of the audited onboarding steps (<see cref="AuditEvent.Action"/>).</summary>
public static class AgencyAuditActions
{
    /// <summary>An administrator registered an agency, or changed or re-enabled a registered one.</summary>
    public const string Register = "agency.register";

    /// <summary>An administrator disabled an agency.</summary>
    public const string Disable = "agency.disable";

    /// <summary>The provisioner brought the broker to an agency's desired access (or failed to).</summary>
    public const string Provision = "agency.broker";
}
