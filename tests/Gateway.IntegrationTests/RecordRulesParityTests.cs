using System.Globalization;
using System.Text.Json;
using SharingHub.Contracts.V1;
using SharingHub.Rules;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// One set of record rules: the same hostile and borderline records, fed once through the connector (its
/// sanitizer, its reject report) and once as a hand-made AMQP message straight to the Gateway as the agency's
/// broker user, are refused by both with the same field and reason code, and the borderline good ones are stored
/// by both.
/// </summary>
public sealed class RecordRulesParityTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A person or phone as both paths get it; each case changes one thing of a good one.</summary>
    private sealed class Spec
    {
        public string Kind { get; init; } = "person";
        public required string LocalId { get; set; }
        public string Role { get; set; } = "victim";
        public string? GivenName { get; set; } = "Ana";
        public string? Surname { get; set; } = "Ruiz";
        public List<string> Aliases { get; } = [];
        public (int Year, int? Month, int? Day)? BirthDate { get; set; } = (1988, 3, 14);
        public (string Category, string Id)? Identifier { get; set; }
        public string Number { get; set; } = "(713) 555-0199";
        public string? E164 { get; set; }

        /// <summary>The E.164 form a hand-made message carries when <see cref="E164"/> is not given (the connector computes its own).</summary>
        public string ComputedE164 { get; init; } = "+17135550199";
        public string OfficialName { get; set; } = "Det. Test";
        public string Channel { get; set; } = "+17135550101";
        public string? CaseRef { get; set; }
        public string? Justification { get; set; }

        /// <summary>The record as a line of the connector's canonical file format.</summary>
        public string CanonicalLine()
        {
            var line = new Dictionary<string, object?> { ["kind"] = Kind, ["localId"] = LocalId, ["version"] = 1 };
            if (Kind == "person")
            {
                line["role"] = Role;
                line["givenName"] = GivenName;
                line["surname"] = Surname;
                line["aliases"] = Aliases;
                line["birthDate"] = BirthDate is { } b
                    ? string.Join('-', new[] { b.Year.ToString("D4", CultureInfo.InvariantCulture), b.Month?.ToString("D2", CultureInfo.InvariantCulture), b.Day?.ToString("D2", CultureInfo.InvariantCulture) }.OfType<string>())
                    : null;
                line["identifiers"] = Identifier is { } i ? new[] { new { category = i.Category, id = i.Id } } : null;
            }
            else
            {
                line["number"] = Number;
                line["e164"] = E164;
            }
            line["labels"] = new Dictionary<string, object?>
            {
                ["sensitivity"] = "open",
                ["controlOfficial"] = new { name = OfficialName, channel = Channel },
                ["caseRef"] = CaseRef,
                ["justification"] = Justification,
            };
            return JsonSerializer.Serialize(line);
        }

        /// <summary>The record as the contract's JSON, the way another publisher than the connector could send it.</summary>
        public Dictionary<string, object?> Contract()
        {
            var labels = new Dictionary<string, object?>
            {
                ["sensitivity"] = "Open",
                ["controlOfficial"] = new { personFullName = OfficialName, contactChannel = Channel },
                ["caseTrackingID"] = CaseRef,
                ["justification"] = Justification,
            };
            if (Kind == "phone")
            {
                return new()
                {
                    ["localId"] = LocalId,
                    ["version"] = 1,
                    ["telephoneNumberFullID"] = Number,
                    ["telephoneNumberE164"] = E164 ?? ComputedE164,
                    ["labels"] = labels,
                };
            }
            return new Dictionary<string, object?>
            {
                ["localId"] = LocalId,
                ["version"] = 1,
                ["personRole"] = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Role),
                ["personGivenName"] = GivenName,
                ["personSurName"] = Surname,
                ["personAlternateNames"] = Aliases,
                ["personBirthDate"] = BirthDate is { } b ? new { year = b.Year, month = b.Month, day = b.Day } : null,
                ["personOtherIdentifications"] = Identifier is { } i
                    ? new[] { new { identificationCategoryText = i.Category, identificationID = i.Id } }
                    : Array.Empty<object>(),
                ["labels"] = labels,
            };
        }
    }

    private sealed record Case(string Field, string Code, Spec Spec);

    private static List<Case> HostileCases(DateOnly today)
    {
        var cases = new List<Case>();
        void Add(string field, string code, Action<Spec> change, string kind = "person")
        {
            var spec = new Spec { Kind = kind, LocalId = $"H-{cases.Count + 1:D2}" };
            change(spec);
            cases.Add(new Case(field, code, spec));
        }
        var tomorrow = today.AddDays(1);

        Add(Fields.GivenName, RuleCodes.FormatCharacter, s => s.GivenName = "Ana\u202EziuR");         // right-to-left override
        Add(Fields.Surname, RuleCodes.FormatCharacter, s => s.Surname = "Ruiz\u202D");                 // left-to-right override
        Add(Fields.GivenName, RuleCodes.FormatCharacter, s => s.GivenName = "An\u200Da");              // zero-width joiner
        Add(Fields.Surname, RuleCodes.ControlCharacter, s => s.Surname = "Gar\0cía");                  // NUL
        Add(Fields.Surname, RuleCodes.ControlCharacter, s => s.Surname = "Ruiz\u001B[2J");             // terminal escape
        Add(Fields.Aliases, RuleCodes.TooManyMarks, s => s.Aliases.Add("Majo" + new string('\u0301', 40)));
        Add(Fields.Surname, RuleCodes.PrivateUse, s => s.Surname = "Ruiz\uE000");
        Add(Fields.Surname, RuleCodes.Unassigned, s => s.Surname = "Ruiz\u0378");
        Add(Fields.Surname, RuleCodes.NotAName, s => s.Surname = "Ruiz<script>");
        Add(Fields.Surname, RuleCodes.TooLong, s => s.Surname = new string('x', RecordLimits.MaxNameLength + 1));
        Add(Fields.BirthDate, RuleCodes.InFuture, s => s.BirthDate = (tomorrow.Year, tomorrow.Month, tomorrow.Day));
        Add(Fields.BirthDate, RuleCodes.InFuture, s => s.BirthDate = (today.Year + 1, null, null));
        Add(Fields.BirthDate, RuleCodes.TooEarly, s => s.BirthDate = (1899, 12, 31));
        Add(Fields.BirthDate, RuleCodes.TooEarly, s => s.BirthDate = (1899, null, null));
        Add(Fields.IdentifierCategory, RuleCodes.UnknownCategory, s => s.Identifier = ("gangName", "X123"));
        Add(Fields.IdentifierId, RuleCodes.FormatCharacter, s => s.Identifier = ("passport", "G12\u200B345"));
        Add(Fields.ControlOfficialChannel, RuleCodes.NotAChannel, s => s.Channel = "ask at the front desk");
        Add(Fields.ControlOfficialChannel, RuleCodes.FormatCharacter, s => s.Channel = "ana\u202E@hpd.example.org");
        Add(Fields.ControlOfficialName, RuleCodes.ControlCharacter, s => s.OfficialName = "Det.\0Test");
        Add(Fields.CaseRef, RuleCodes.TooLong, s => s.CaseRef = new string('C', RecordLimits.MaxCaseRefLength + 1));
        Add(Fields.Justification, RuleCodes.TooLong, s => s.Justification = new string('j', RecordLimits.MaxJustificationLength + 1));
        Add(Fields.Justification, RuleCodes.Required, s => s.Role = "suspect");
        Add(Fields.LocalId, RuleCodes.TooLong, s => s.LocalId = new string('L', RecordLimits.MaxLocalIdLength + 1));
        Add(Fields.Number, RuleCodes.E164Mismatch, s => (s.Number, s.E164) = ("(713) 555-0100", "+17135550199"), kind: "phone");
        Add(Fields.Number, RuleCodes.NotAPhone, s => s.Number = "call the landlord", kind: "phone");
        Add(Fields.Number, RuleCodes.FormatCharacter, s => s.Number = "713\u200B555 0199", kind: "phone");
        Add(Fields.E164, RuleCodes.NotE164, s => (s.Number, s.E164) = ("+52 1 55 1234 5678", "+5215512345678"), kind: "phone");
        return cases;
    }

    /// <summary>Borderline records both sides must store: never silently dropped on one side.</summary>
    private static List<Spec> BorderlineGood(DateOnly today) =>
    [
        new() { LocalId = "OK-1", Surname = "O'Brien-Smith", BirthDate = (today.Year, today.Month, today.Day) },
        new() { LocalId = "OK-2", Surname = "Nguyễn", BirthDate = (DateRules.MinBirthYear, null, null) },
        new() { LocalId = "OK-3", Surname = "García López", Identifier = ("passport", "G12345678") },
        new() { Kind = "phone", LocalId = "OK-4", Number = "+52 1 55 1234 5678", ComputedE164 = "+525512345678" },
    ];

    [Fact]
    public async Task ConnectorAndGateway_SameHostileInputs_RejectedWithSameFieldAndCode()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var cases = HostileCases(today);
        var good = BorderlineGood(today);
        var (viaConnector, direct) = (await hub.AddAgencyAsync("VC"), await hub.AddAgencyAsync("VD"));

        // (a) The connector path: a canonical file through the publish command, and its reject report.
        var file = hub.WriteLines([.. cases.Select(c => c.Spec.CanonicalLine()), .. good.Select(g => g.CanonicalLine())]);
        await hub.PublishAsync(viaConnector, file);
        var connector = ConnectorRejections(await File.ReadAllLinesAsync(file + ".rejects.csv", Ct), cases);

        // (b) The same records, hand-made, straight to the Gateway: its error queue's reasons.
        var kinds = cases.Select(c => c.Spec).Concat(good).ToLookup(s => s.Kind);
        await RawEnvelope.PublishAsync(direct, new
        {
            persons = kinds["person"].Select(s => s.Contract()).ToArray(),
            phones = kinds["phone"].Select(s => s.Contract()).ToArray(),
        }, Ct);
        var setAside = await ErrorQueue.NextAsync(hub.VirtualHost, Patience, Ct);
        Assert.Equal(direct.Code, setAside.Agency);
        var gateway = GatewayRejections(setAside.Reason, cases);

        var disagreements = cases
            .Select(c => (c, Connector: connector.GetValueOrDefault(c), Gateway: gateway.GetValueOrDefault(c)))
            .Where(x => x.Connector != (x.c.Field, x.c.Code) || x.Gateway != (x.c.Field, x.c.Code))
            .Select(x => $"{x.c.Spec.LocalId[..Math.Min(5, x.c.Spec.LocalId.Length)]} expected {x.c.Field}/{x.c.Code}: connector {x.Connector}, gateway {x.Gateway}")
            .ToList();
        Assert.Empty(disagreements);

        foreach (var spec in good)
        {
            var kind = spec.Kind == "phone" ? RecordKind.Phone : RecordKind.Person;
            var byConnector = await hub.WaitForAsync(_ => hub.FindAsync(viaConnector.Code, kind, spec.LocalId), r => r is not null, Patience);
            var byGateway = await hub.WaitForAsync(_ => hub.FindAsync(direct.Code, kind, spec.LocalId), r => r is not null, Patience);
            Assert.Equal(byConnector!.PhoneE164, byGateway!.PhoneE164);
            Assert.Equal(byConnector.BirthYear, byGateway.BirthYear);
        }
        Assert.Equal("+525512345678", (await hub.FindAsync(direct.Code, RecordKind.Phone, "OK-4"))!.PhoneE164);
        // Nothing hostile was stored on either side.
        Assert.Equal(good.Count, await hub.CountAsync(viaConnector.Code));
        Assert.Equal(good.Count, await hub.CountAsync(direct.Code));
    }

    /// <summary>
    /// Issue 11: a US agency with Mexico as its neighbouring region (<c>--region US,MX</c>). Each way of writing one
    /// Mexican number gives the same E.164 in the connector (stored through the Gateway's validator), in a hand-made
    /// message carrying the engine's reading (accepted by the validator, whose check reads the written number in
    /// the E.164 number's region), and in the engine itself.
    /// </summary>
    [Fact]
    public async Task ConnectorGatewayAndEngine_MexicanWritingsWithNeighbourRegion_OneE164()
    {
        string[] writings = ["(868) 204-3719", "52 868 204 3719", "00 52 868 204 3719", "011 52 868 204 3719", "044 868 204 3719", "+52 1 868 204 3719"];
        const string Expected = "+528682043719";
        var options = new SharingHub.Matching.MatchingOptions { DefaultRegion = "US" };
        options.NeighbourRegions.Add("MX");
        var engine = new SharingHub.Matching.MatchingEngine(options);
        var specs = writings.Select((number, i) => new Spec
        {
            Kind = "phone", LocalId = $"MX-{i}", Number = number,
            ComputedE164 = engine.NormalizePhone(new SharingHub.Matching.PhoneInput(number)).E164,
        }).ToList();
        Assert.All(specs, s => Assert.Equal(Expected, s.ComputedE164));
        var (viaConnector, direct) = (await hub.AddAgencyAsync("MC"), await hub.AddAgencyAsync("MD"));

        var (exit, output) = await hub.PublishAsync(viaConnector, hub.WriteLines(specs.Select(s => s.CanonicalLine())), "--region", "US,MX");
        Assert.True(exit == 0, output);
        await RawEnvelope.PublishAsync(direct, new { phones = specs.Select(s => s.Contract()).ToArray() }, Ct);

        foreach (var spec in specs)
        {
            var byConnector = await hub.WaitForAsync(_ => hub.FindAsync(viaConnector.Code, RecordKind.Phone, spec.LocalId), r => r is not null, Patience);
            var byGateway = await hub.WaitForAsync(_ => hub.FindAsync(direct.Code, RecordKind.Phone, spec.LocalId), r => r is not null, Patience);
            Assert.Equal((Expected, Expected), (byConnector!.PhoneE164, byGateway!.PhoneE164));
        }
    }

    /// <summary>Report lines (<c>row,kind,localId,field,code,reason,action</c>) by case; the row is the case's line.</summary>
    private static Dictionary<Case, (string, string)> ConnectorRejections(string[] report, List<Case> cases)
    {
        Assert.Equal("row,kind,localId,field,code,reason,action", report[0]);
        var result = new Dictionary<Case, (string, string)>();
        foreach (var line in report.Skip(1))
        {
            var columns = line.Split(',', 6);
            var row = int.Parse(columns[0], CultureInfo.InvariantCulture);
            Assert.True(row <= cases.Count, $"row {row}, a borderline good record, was rejected: {columns[3]}/{columns[4]}");
            Assert.True(result.TryAdd(cases[row - 1], (columns[3], columns[4])), $"row {row} has more than one problem");
        }
        return result;
    }

    /// <summary>Reason lines (<c>kind localId: field: code: message</c>) by case; a line without a local id is the over-long one's.</summary>
    private static Dictionary<Case, (string, string)> GatewayRejections(string reasons, List<Case> cases)
    {
        var result = new Dictionary<Case, (string, string)>();
        foreach (var line in reasons.Split('\n'))
        {
            var parts = line.Split(": ", 4);
            var at = parts[0].Split(' ', 2);
            var match = at.Length == 2
                ? cases.SingleOrDefault(c => c.Spec.LocalId == at[1])
                : cases.Single(c => c.Field == Fields.LocalId);
            Assert.True(match is not null, $"{parts[0]}, a borderline good record, was set aside: {parts[1]}/{parts[2]}");
            Assert.True(result.TryAdd(match, (parts[1], parts[2])), $"{parts[0]} has more than one problem");
        }
        return result;
    }
}
