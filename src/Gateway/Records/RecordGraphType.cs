using System.Globalization;
using GraphQL;
using GraphQL.Types;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.GraphQL;

namespace SharingHub.Gateway.Records;

/// <summary><c>Record</c>: one of the caller's own agency's shared records. Other agencies' records are never this type.</summary>
internal sealed class RecordGraphType : ObjectGraphType<StoredRecord>
{
    public RecordGraphType()
    {
        Name = "Record";
        Description = "A record your agency shared with the hub.";
        Field<NonNullGraphType<IdGraphType>>("id").Reads(s => s.Id.ToString(CultureInfo.InvariantCulture));
        Field<NonNullGraphType<RecordKindGraphType>>("kind").Reads(s => s.Kind);
        Field<NonNullGraphType<StringGraphType>>("localId").Description("The record's id in your agency's system.").Reads(s => s.LocalId);
        Field<NonNullGraphType<LongGraphType>>("version").Reads(s => s.Version);
        Field<SensitivityGraphType>("sensitivity").Reads(s => s.Sensitivity);
        Field<PersonRoleGraphType>("role").Description("Persons: the role in your case.").Reads(s => s.Role);
        Field<StringGraphType>("caseRef").Reads(s => s.CaseTrackingId);
        Field<ContactGraphType>("contact").Description("The record's control official.")
            .Resolve(c => new Contact(c.Source.ControlOfficialName, c.Source.ControlOfficialChannel));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Reads(s => s.UpdatedAt);
        Field<OperationAreaGraphType>("operation")
            .Description("A planned operation's area and window; null for other records.")
            .Reads(s => s is { Latitude: not null, Longitude: not null, RadiusMeters: not null, OperationWindow: not null } ? s : null);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MatchGraphType>>>>("matches")
            .Description("This record's matches with other agencies' records, newest first.")
            .Resolve(c => c.Hub().MatchesByRecord.Load(c.Source.Id).Then(matches => (IEnumerable<Match>?)matches ?? []))
            // The analyzer's estimate of a record's matches: a record meets a handful of other agencies' records, not
            // the default list's twenty. The page of records around it is what bounds the answer.
            .Configure(f => f.WithComplexityImpact(1, 5));
    }
}

/// <summary>
/// <c>OperationArea</c>: where and when one of the caller's own planned operations runs (what the officer's page draws
/// beside a conflicting operation's released area).
/// </summary>
internal sealed class OperationAreaGraphType : ObjectGraphType<StoredRecord>
{
    public OperationAreaGraphType()
    {
        Name = "OperationArea";
        Description = "A planned operation: its centre, radius and time window.";
        Field<NonNullGraphType<FloatGraphType>>("latitude").Reads(s => s.Latitude);
        Field<NonNullGraphType<FloatGraphType>>("longitude").Reads(s => s.Longitude);
        Field<NonNullGraphType<FloatGraphType>>("radiusMeters").Reads(s => s.RadiusMeters);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("startsAt")
            .Resolve(c => new DateTimeOffset(DateTime.SpecifyKind(c.Source.OperationWindow!.Value.LowerBound, DateTimeKind.Utc)));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("endsAt")
            .Resolve(c => new DateTimeOffset(DateTime.SpecifyKind(c.Source.OperationWindow!.Value.UpperBound, DateTimeKind.Utc)));
        Field<StringGraphType>("address").Reads(s => s.Address);
    }
}
