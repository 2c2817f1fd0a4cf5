using Microsoft.AspNetCore.Authorization;

namespace SharingHub.Gateway.Authorization;

/// <summary>An operation on hub data; the resource decides which handler judges it.</summary>
public sealed class OperationRequirement(string name) : IAuthorizationRequirement
{
    /// <summary>The operation's name.</summary>
    public string Name { get; } = name;

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The operations the GraphQL API authorizes (bitwarden style: static requirement instances).</summary>
public static class RecordOperations
{
    /// <summary>Read a record (<see cref="RecordResource"/>).</summary>
    public static readonly OperationRequirement Read = new(nameof(Read));

    /// <summary>Adjudicate a match as same / not same (<see cref="MatchResource"/>).</summary>
    public static readonly OperationRequirement Adjudicate = new(nameof(Adjudicate));

    /// <summary>Acknowledge an alert (<see cref="AlertResource"/>).</summary>
    public static readonly OperationRequirement Acknowledge = new(nameof(Acknowledge));
}

/// <summary>A record, as far as authorization needs to know it.</summary>
/// <param name="OwnerAgency">The agency that published the record.</param>
/// <param name="ReleasedToReader">
/// A match and the record's sensitivity label release (part of) it to the reader's agency.
/// Computed by the releasability filter; never true for <c>Restricted</c> records.
/// </param>
public sealed record RecordResource(string OwnerAgency, bool ReleasedToReader);

/// <summary>A match between records of two agencies.</summary>
public sealed record MatchResource(string AgencyA, string AgencyB);

/// <summary>An alert addressed to one agency; protective alerts (a victim is involved) go to advocates too.</summary>
public sealed record AlertResource(string AddresseeAgency, bool IsProtective);

/// <summary>The caller may work enforcement data: NGO and advocate principals never may.</summary>
public sealed class EnforcementDataRequirement : IAuthorizationRequirement
{
    /// <summary>The one instance.</summary>
    public static readonly EnforcementDataRequirement Instance = new();

    private EnforcementDataRequirement() { }
}
