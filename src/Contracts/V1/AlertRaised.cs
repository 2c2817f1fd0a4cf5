namespace SharingHub.Contracts.V1;

/// <summary>
/// An alert to one agency, as the hub's relay publishes it to that agency's alert queue
/// (<c>sharinghub-alerts.&lt;CODE&gt;</c>, exchange <c>sharinghub-alerts</c>, routing key the agency code) and the
/// connector's <c>alerts</c> command hands it to the agency's system. Compact JSON with camelCase names; the AMQP
/// <c>message_id</c> is <see cref="AlertId"/>, so a consumer that sees the same id twice drops the second copy.
/// </summary>
/// <remarks>
/// It carries only what the addressed audience of the agency may see, decided by the hub's one release rule: an
/// advocate's alert holds no enforcement details, and law enforcement's protective alert about a victim-service
/// organisation's record holds no match and no victim details, only whom to call.
/// </remarks>
public sealed record AlertRaised
{
    /// <summary>The alert's id: unique in the hub, the AMQP message id, the consumer's deduplication key.</summary>
    public required string AlertId { get; init; }

    /// <summary>The addressed agency's code.</summary>
    public required string Agency { get; init; }

    /// <summary>Who in the agency it is for: <c>officers</c>, <c>supervisors</c> or <c>advocates</c>.</summary>
    public required string Audience { get; init; }

    /// <summary>What it tells: <c>deconfliction</c>, <c>protective</c>, <c>escalated</c>, <c>retraction</c> or <c>verdict</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>When the hub raised it.</summary>
    public required DateTimeOffset RaisedAt { get; init; }

    /// <summary>In plain words, what the officer or advocate needs to know.</summary>
    public required string Summary { get; init; }

    /// <summary>For escalations, retractions and verdicts: the id of the alert this one is about.</summary>
    public string? RelatesToAlertId { get; init; }

    /// <summary>The match, as far as the release shows it; null when even the match would say too much.</summary>
    public AlertMatch? Match { get; init; }

    /// <summary>Whom to call on the other side (the released contact, or the advocate); null when nothing is released.</summary>
    public AlertContact? Contact { get; init; }
}

/// <summary>What an <see cref="AlertRaised"/> shows of its match.</summary>
public sealed record AlertMatch
{
    /// <summary>The match's id in the hub (the GraphQL <c>match(id:)</c>).</summary>
    public required string MatchId { get; init; }

    /// <summary><c>personIdentity</c>, <c>sharedPhone</c>, <c>sharedPlace</c>, <c>operationConflict</c> or <c>subjectInOperation</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The agency's own record in the match: its kind and local id.</summary>
    public AlertRecordRef? YourRecord { get; init; }

    /// <summary>The other agency's code, when the release names it.</summary>
    public string? OtherAgency { get; init; }

    /// <summary>The other agency's name, when the release names it.</summary>
    public string? OtherAgencyName { get; init; }

    /// <summary>The person-identity band (<c>match</c>, <c>possible</c>), when released.</summary>
    public string? Band { get; init; }

    /// <summary>The person-identity score in bits, when released.</summary>
    public double? Score { get; init; }

    /// <summary>The other record's matched values that its release shows (name and value).</summary>
    public IReadOnlyList<AlertField> Fields { get; init; } = [];

    /// <summary>Why the records match, one line per field or rule, only the lines the release permits.</summary>
    public IReadOnlyList<string> Explanation { get; init; } = [];
}

/// <summary>A record named by its kind and its id in the owning agency's system.</summary>
public sealed record AlertRecordRef
{
    /// <summary><c>person</c>, <c>phone</c> or <c>location</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The record's id in the agency's own system.</summary>
    public required string LocalId { get; init; }
}

/// <summary>One released field of the other record.</summary>
public sealed record AlertField
{
    /// <summary>The field (<c>surname</c>, <c>number</c>, <c>address</c>…).</summary>
    public required string Name { get; init; }

    /// <summary>Its value.</summary>
    public required string Value { get; init; }
}

/// <summary>A control official or advocate to call.</summary>
public sealed record AlertContact
{
    /// <summary>The person's name.</summary>
    public string? Name { get; init; }

    /// <summary>How to reach them (a phone number or an address).</summary>
    public string? Channel { get; init; }
}
