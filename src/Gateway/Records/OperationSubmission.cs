using System.Globalization;
using System.Text;
using GraphQL;
using GraphQL.Types;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Authorization;
using SharingHub.Gateway.Data;
using SharingHub.Gateway.Deconfliction;
using SharingHub.Gateway.GraphQL;
using SharingHub.Rules;
using SharingHub.ServiceDefaults.Agencies;
using SharingHub.ServiceDefaults.Authentication;

namespace SharingHub.Gateway.Records;

/// <summary>
/// <c>submitOperation</c>: an officer enters a planned operation directly and is answered at once, as event
/// deconfliction answers ("accepted with / without conflict"). The operation becomes the officer's agency's location
/// record through the same <see cref="RecordStore"/> as a published one (the same rules, keys and matching), so the
/// answer's conflicts are the matches it found, shown through the same release as every other read.
/// </summary>
internal sealed class OperationSubmission(RecordStore store, IncrementalMatcher matcher, HubDbContext db, TimeProvider time)
{
    /// <summary>The roles that may enter operations: the officers who run them and their supervisors.</summary>
    public static readonly IReadOnlySet<string> SubmittingRoles = new HashSet<string>(StringComparer.Ordinal) { HubRoles.Officer, HubRoles.Supervisor };

    // The rules name fields as the canonical record format does; the caller typed SubmitOperationInput's.
    private static string InputField(string field) => field switch
    {
        Fields.Lat => "location.lat",
        Fields.Lon => "location.lon",
        Fields.ControlOfficialName => "contact.name",
        Fields.ControlOfficialChannel => "contact.channel",
        Fields.CaseRef => "caseRef",
        Fields.Sensitivity => "sensitivity",
        _ => field,
    };

    /// <summary>Validates, stores and matches the operation as <paramref name="submitter"/>'s agency's record.</summary>
    public async Task<SubmitOperationPayload> SubmitAsync(HubPrincipal submitter, Agency? submitterAgency, SubmitOperationInput input,
        CancellationToken cancellationToken)
    {
        if (submitterAgency is null or { Kind: AgencyKind.VictimServices } || !submitter.MayReachEnforcementData || !submitter.Roles.Overlaps(SubmittingRoles))
        {
            throw HubError.Forbidden("Only officers and supervisors of a law-enforcement or prosecution agency may submit operations.");
        }
        // Typed by a person, not exported by a connector: the connector's normalization (NFC text, a phone channel in
        // E.164 read in the agency's region or its neighbours) is done here, then every rule runs as for a published record.
        static string? Nfc(string? text) => text?.Normalize(NormalizationForm.FormC);
        var channel = Nfc(input.Contact.Channel);
        channel = ChannelRules.Normalize(channel, submitterAgency.PhoneRegions) ?? channel;
        // Versioned by the time of submission: a later submission of the same local id replaces an earlier one.
        var record = new LocationRecordPublished
        {
            LocalId = Nfc(input.LocalId)!,
            Version = time.GetUtcNow().ToUnixTimeMilliseconds(),
            LocationAddressFullText = Nfc(input.Address),
            LatitudeDegreeValue = input.Location.Lat,
            LongitudeDegreeValue = input.Location.Lon,
            PlannedOperation = new PlannedOperation
            {
                StartDateTime = input.StartsAt,
                EndDateTime = input.EndsAt,
                RadiusMeters = input.RadiusMeters,
            },
            Labels = new RecordLabels
            {
                Sensitivity = input.Sensitivity,
                CaseTrackingID = Nfc(input.CaseRef),
                ControlOfficial = new ControlOfficial { PersonFullName = Nfc(input.Contact.Name)!, ContactChannel = channel! },
            },
        };
        if (RecordRules.Check(record) is { Count: > 0 } violations)
        {
            throw HubError.Validation(string.Join("; ", violations.Select(v => $"input.{InputField(v.Field)}: {v.Code}: {v.Message}")));
        }

        try
        {
            await store.StoreAsync(submitter.Agency, NewId.NextGuid(), new ValidRecords([], [], [record], []), cancellationToken);
        }
        catch (UnknownAgencyException)
        {
            throw HubError.Forbidden($"Agency {submitter.Agency} is not registered with the hub.");
        }

        var agency = submitter.Agency;
        var stored = await db.Records.AsNoTracking()
            .SingleAsync(r => r.AgencyCode == agency && r.Kind == RecordKind.Location && r.LocalId == record.LocalId, cancellationToken);
        try
        {
            // The officer waits for the answer: this operation is matched now, not when a worker takes it.
            await matcher.RunAsync([stored.Id], "operation", cancellationToken);
        }
        catch (Exception ex) when (ex is MatchRunFailedException or NpgsqlException or TimeoutException)
        {
            // Left pending: a matching worker finishes it, and the answer says the conflicts may be incomplete.
        }
        var conflicts = await db.VisibleMatches(submitter, submitterAgency.Kind).AsNoTracking()
            .Where(m => (m.RecordAId == stored.Id || m.RecordBId == stored.Id) && m.ClosedAt == null)
            .OrderByDescending(m => m.Id)
            .ToListAsync(cancellationToken);
        var pending = await db.Set<MatchPending>().AnyAsync(p => p.RecordId == stored.Id, cancellationToken);
        return new SubmitOperationPayload(stored, conflicts, MatchingComplete: !pending);
    }
}

/// <summary>Input of <c>submitOperation</c>.</summary>
internal sealed class SubmitOperationInput
{
    public string LocalId { get; set; } = "";

    public string? CaseRef { get; set; }

    public GeoPointInput Location { get; set; } = new();

    public string? Address { get; set; }

    public double RadiusMeters { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    public ContactInput Contact { get; set; } = new();

    public Sensitivity Sensitivity { get; set; }
}

/// <summary>A point in WGS 84 decimal degrees.</summary>
internal sealed class GeoPointInput
{
    public double Lat { get; set; }

    public double Lon { get; set; }
}

/// <summary>Who answers for an operation.</summary>
internal sealed class ContactInput
{
    public string Name { get; set; } = "";

    public string Channel { get; set; } = "";
}

/// <summary>Result of <c>submitOperation</c>.</summary>
internal sealed record SubmitOperationPayload(StoredRecord Operation, IReadOnlyList<Match> Conflicts, bool MatchingComplete);

internal sealed class SubmitOperationInputGraphType : InputObjectGraphType<SubmitOperationInput>
{
    public SubmitOperationInputGraphType()
    {
        Name = "SubmitOperationInput";
        Description = "A planned operation: where, how wide, when, and who to call.";
        Field<NonNullGraphType<StringGraphType>>("localId").Description("The operation's id in your agency's system; submitting it again replaces it.");
        Field<StringGraphType>("caseRef").Description("Your case reference; shown to nobody outside your agency.");
        Field<NonNullGraphType<GeoPointInputGraphType>>("location");
        Field<StringGraphType>("address").Description("The address in one line, if there is one.");
        Field<NonNullGraphType<FloatGraphType>>("radiusMeters").Description($"The area around the point (at most {RecordLimits.MaxRadiusMeters.ToString("0", CultureInfo.InvariantCulture)} m).");
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("startsAt");
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("endsAt");
        Field<NonNullGraphType<ContactInputGraphType>>("contact").Description("The officer in charge: a name and a phone number (E.164) or an email address.");
        Field<NonNullGraphType<SensitivityGraphType>>("sensitivity").Description("What another agency with a conflicting operation may see of this one.");
    }
}

internal sealed class GeoPointInputGraphType : InputObjectGraphType<GeoPointInput>
{
    public GeoPointInputGraphType()
    {
        Name = "GeoPointInput";
        Field<NonNullGraphType<FloatGraphType>>("lat").Description("Latitude, decimal degrees (WGS 84).");
        Field<NonNullGraphType<FloatGraphType>>("lon").Description("Longitude, decimal degrees (WGS 84).");
    }
}

internal sealed class ContactInputGraphType : InputObjectGraphType<ContactInput>
{
    public ContactInputGraphType()
    {
        Name = "ContactInput";
        Field<NonNullGraphType<StringGraphType>>("name");
        Field<NonNullGraphType<StringGraphType>>("channel");
    }
}

internal sealed class SubmitOperationPayloadGraphType : ObjectGraphType<SubmitOperationPayload>
{
    public SubmitOperationPayloadGraphType()
    {
        Name = "SubmitOperationPayload";
        Field<NonNullGraphType<BooleanGraphType>>("accepted").Description("The operation is stored and takes part in matching.").Resolve(_ => true);
        Field<NonNullGraphType<RecordGraphType>>("operation").Resolve(c => c.Source.Operation);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MatchGraphType>>>>("conflicts")
            .Description("Open matches of this operation with other agencies' records: empty means accepted without conflict.")
            .Resolve(c => c.Source.Conflicts);
        Field<NonNullGraphType<BooleanGraphType>>("matchingComplete")
            .Description("False when matching could not run at once; the hub finishes it shortly and alerts as usual.")
            .Resolve(c => c.Source.MatchingComplete);
    }
}

/// <summary>Adds <c>submitOperation</c> to the mutations.</summary>
internal static class OperationSubmissionFields
{
    public static void AddSubmitOperation(this ObjectGraphType mutation) =>
        mutation.Field<NonNullGraphType<SubmitOperationPayloadGraphType>>("submitOperation")
            .Description("Submit a planned operation and learn at once whether it conflicts with another agency's.")
            .Argument<NonNullGraphType<SubmitOperationInputGraphType>>("input")
            .ResolveAsync(async c =>
            {
                var hub = c.Hub();
                var agencies = await hub.AgenciesAsync(c.CancellationToken);
                return await c.RequestServices!.GetRequiredService<OperationSubmission>().SubmitAsync(
                    hub.Principal, agencies.GetValueOrDefault(hub.Principal.Agency), c.GetArgument<SubmitOperationInput>("input"), c.CancellationToken);
            });
}
