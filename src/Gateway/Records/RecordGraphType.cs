using System.Globalization;
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
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id.ToString(CultureInfo.InvariantCulture));
        Field<NonNullGraphType<RecordKindGraphType>>("kind").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<StringGraphType>>("localId").Description("The record's id in your agency's system.").Resolve(c => c.Source.LocalId);
        Field<NonNullGraphType<LongGraphType>>("version").Resolve(c => c.Source.Version);
        Field<SensitivityGraphType>("sensitivity").Resolve(c => c.Source.Sensitivity);
        Field<PersonRoleGraphType>("role").Description("Persons: the role in your case.").Resolve(c => c.Source.Role);
        Field<StringGraphType>("caseRef").Resolve(c => c.Source.CaseTrackingId);
        Field<ContactGraphType>("contact").Description("The record's control official.")
            .Resolve(c => new Contact(c.Source.ControlOfficialName, c.Source.ControlOfficialChannel));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MatchGraphType>>>>("matches")
            .Description("This record's matches with other agencies' records, newest first.")
            .Resolve(c => c.Hub().MatchesByRecord.Load(c.Source.Id).Then(matches => (IEnumerable<Match>?)matches ?? []));
    }
}
