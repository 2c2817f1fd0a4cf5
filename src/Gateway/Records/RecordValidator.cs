using SharingHub.Contracts.V1;
using SharingHub.Rules;

namespace SharingHub.Gateway.Records;

/// <summary>
/// The hub's own check of records arriving on the bus: every rule of <see cref="RecordRules"/>, the same ones the
/// connector ran before publishing, because the hub trusts no publisher. A record that breaks one is set aside with
/// its reasons instead of stored. Each reason is one line, <c>kind localId: field: code: message</c>, naming the
/// record, the field and the rule, never the value.
/// </summary>
internal static class RecordValidator
{
    public static string? Validate(PersonRecordPublished? record, DateOnly today) =>
        record is null ? "person: the record is null" : Reasons("person", record.LocalId, RecordRules.Check(record, today));

    public static string? Validate(PhoneRecordPublished? record) =>
        record is null ? "phone: the record is null" : Reasons("phone", record.LocalId, RecordRules.Check(record));

    public static string? Validate(LocationRecordPublished? record) =>
        record is null ? "location: the record is null" : Reasons("location", record.LocalId, RecordRules.Check(record));

    public static string? Validate(RecordWithdrawn? record) =>
        record is null ? "withdrawal: the record is null" : Reasons("withdrawal", record.LocalId, RecordRules.Check(record));

    /// <summary>The reason lines of a record's violations, or null when it has none.</summary>
    internal static string? Reasons(string kind, string? localId, IReadOnlyList<RuleViolation> violations)
    {
        if (violations.Count == 0)
        {
            return null;
        }
        // A local id that breaks its own rule is not repeated: it may be the hostile value.
        var at = violations.Any(v => v.Field == Fields.LocalId) ? kind : $"{kind} {localId}";
        return string.Join('\n', violations.Select(v => $"{at}: {v.Field}: {v.Code}: {v.Message}"));
    }
}
