using GraphQL.Types;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Agencies;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.ServiceDefaults.Agencies;

namespace SharingHub.Gateway.GraphQL;

/// <summary><c>Agency</c>: a member of the task force, from the directory.</summary>
internal sealed class AgencyGraphType : ObjectGraphType<Agency>
{
    public AgencyGraphType()
    {
        Name = "Agency";
        Description = "A member agency of the task force.";
        Field<NonNullGraphType<StringGraphType>>("code").Description("The agency's ORI-like code.").Reads(s => s.Code);
        Field<NonNullGraphType<StringGraphType>>("name").Reads(s => s.Name);
        Field<NonNullGraphType<AgencyKindGraphType>>("kind").Reads(s => s.Kind);
        this.AddAdministrationFields();
    }
}

/// <summary><c>Me</c>: the caller as the hub sees them.</summary>
internal sealed class MeGraphType : ObjectGraphType<HubPrincipal>
{
    public MeGraphType()
    {
        Name = "Me";
        Description = "The caller, as the access token describes them.";
        Field<NonNullGraphType<StringGraphType>>("subject").Description("The token's subject.").Reads(s => s.Subject);
        Field<StringGraphType>("name").Reads(s => s.Name);
        Field<AgencyGraphType>("agency")
            .Description("The caller's agency; null when the hub does not know it.")
            .ResolveAsync(async c => (await c.Hub().AgenciesAsync(c.CancellationToken)).GetValueOrDefault(c.Source.Agency));
        Field<NonNullGraphType<StringGraphType>>("agencyCode").Reads(s => s.Agency);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("roles").Reads(s => s.Roles.Order(StringComparer.Ordinal));
        Field<NonNullGraphType<BooleanGraphType>>("sworn").Description("A sworn law-enforcement officer.").Reads(s => s.Leo);
        Field<NonNullGraphType<BooleanGraphType>>("cfr28Certified").Description("Trained in 28 CFR Part 23.").Reads(s => s.Cfr28);
    }
}

/// <summary>A contact: whom to call about a record.</summary>
internal sealed class ContactGraphType : ObjectGraphType<Contact>
{
    public ContactGraphType()
    {
        Name = "Contact";
        Description = "The control official of a record: whom to call.";
        Field<StringGraphType>("name").Reads(s => s.Name);
        Field<StringGraphType>("channel").Description("A phone number (E.164) or an email address.").Reads(s => s.Channel);
    }
}

internal sealed class AgencyKindGraphType : EnumerationGraphType<AgencyKind>
{
    public AgencyKindGraphType() => Name = "AgencyKind";
}

internal sealed class RecordKindGraphType : EnumerationGraphType<RecordKind>
{
    public RecordKindGraphType() => Name = "RecordKind";
}

internal sealed class SensitivityGraphType : EnumerationGraphType<Sensitivity>
{
    public SensitivityGraphType() => Name = "Sensitivity";
}

internal sealed class PersonRoleGraphType : EnumerationGraphType<PersonRole>
{
    public PersonRoleGraphType() => Name = "PersonRole";
}

internal sealed class MatchKindGraphType : EnumerationGraphType<MatchKind>
{
    public MatchKindGraphType() => Name = "MatchKind";
}

internal sealed class ReleaseGraphType : EnumerationGraphType<Release>
{
    public ReleaseGraphType()
    {
        Name = "Release";
        Description = "How much of the other agency's record the match releases to the caller.";
    }
}

internal sealed class VerdictGraphType : EnumerationGraphType<AdjudicationDecision>
{
    public VerdictGraphType() => Name = "Verdict";
}

/// <summary><c>MatchBand</c>: MATCH or POSSIBLE (stored as the engine's band names).</summary>
internal sealed class MatchBandGraphType : EnumerationGraphType
{
    public const string Match = "Match";
    public const string Possible = "Possible";

    public MatchBandGraphType()
    {
        Name = "MatchBand";
        Add("MATCH", Match, "Probably the same person.");
        Add("POSSIBLE", Possible, "Worth a human look.");
    }
}
