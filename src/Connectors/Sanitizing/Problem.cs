namespace SharingHub.Connectors.Sanitizing;

/// <summary>
/// Why a record (or a whole source row) was not published: the field at fault, the reason, and the reason's code.
/// A broken record rule gives the same field, code and reason here as in the Gateway's error queue
/// (<see cref="SharingHub.Rules.RuleViolation"/>).
/// </summary>
/// <remarks>Reasons never quote the rejected value: reports travel further than the data should.</remarks>
internal sealed record Problem(string Field, string Reason, string Code = Problem.UnreadableCode)
{
    /// <summary>The field name used when a whole row could not be read.</summary>
    public const string RowField = "(row)";

    /// <summary>The code of a problem of the source's form (a malformed row, an unknown field), not of a record rule.</summary>
    public const string UnreadableCode = "unreadable";

    public static Problem From(SharingHub.Rules.RuleViolation violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        return new Problem(violation.Field, violation.Message, violation.Code);
    }
}
