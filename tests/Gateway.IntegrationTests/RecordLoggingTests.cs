using Microsoft.EntityFrameworkCore;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>
/// Shared intelligence never reaches a log: a run that stores, matches, rejects and withdraws records, with every
/// category of the Gateway logging at Trace, leaves no value of any record in any log entry (message, structured
/// values, scopes or exception), nor in the connector's output.
/// </summary>
public sealed class RecordLoggingTests(RecordLoggingFixture hub) : IClassFixture<RecordLoggingFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // Values no other text of a run could hold by chance, one per field a record can carry.
    private const string GivenName = "Zoltrenna";
    private const string Surname = "Quaffletrix";
    private const string Alias = "Vexquill";
    private const string Passport = "QX7781234";
    private const string PhoneNational = "7135550147";
    private const string Address = "4417 Quixotic Lane";
    private const string Official = "Vexmorland";
    private const string OfficialMail = "vexmorland@pd.example.org";
    private const string CaseRef = "ZQCASE4471";
    private const string Justification = "Wrexlington ledger";
    private const string RejectedSurname = "Plonkavitch";

    private static readonly string[] Sentinels =
        [GivenName, Surname, Alias, Passport, PhoneNational, Address, Official, OfficialMail, CaseRef, Justification, RejectedSurname, "1977-11-23"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Labels(string sensitivity = "open") =>
        $$"""{"sensitivity":"{{sensitivity}}","controlOfficial":{"name":"Det. {{Official}}","channel":"{{OfficialMail}}"},"caseRef":"{{CaseRef}}","justification":"{{Justification}}"}""";

    private static string[] Lines(string prefix) =>
    [
        $$"""{"kind":"person","localId":"{{prefix}}-P","version":1,"role":"suspect","givenName":"{{GivenName}}","surname":"{{Surname}}","aliases":["{{Alias}}"],"birthDate":"1977-11-23","identifiers":[{"category":"passport","id":"{{Passport}}"}],"labels":{{Labels()}}}""",
        $$"""{"kind":"phone","localId":"{{prefix}}-T","version":1,"subjectRef":"{{prefix}}-P","number":"(713) 555-0147","labels":{{Labels()}}}""",
        $$"""{"kind":"location","localId":"{{prefix}}-L","version":1,"subjectRef":"{{prefix}}-P","address":"{{Address}}, Houston, TX 77002","lat":29.7530,"lon":-95.3600,"labels":{{Labels("agencyOnly")}}}""",
    ];

    [Fact]
    public async Task IngestMatchRejectWithdraw_EveryCategoryAtTrace_NoRecordValueInAnyLogOrOutput()
    {
        var (first, second) = (await hub.AddAgencyAsync("LA"), await hub.AddAgencyAsync("LB"));
        var outputs = new List<string>();

        // Two agencies with the same subject, phone and address: stored, then matched.
        outputs.Add((await hub.PublishAsync(first, hub.WriteLines(Lines("A")))).Output);
        outputs.Add((await hub.PublishAsync(second, hub.WriteLines(Lines("B")))).Output);
        await hub.WaitForAsync(db => db.Matches.CountAsync(m => m.AgencyA == first.Code || m.AgencyB == first.Code), n => n >= 3, Patience);

        // A record the connector refuses (a name with markup) and one that reaches the Gateway and is refused there.
        var refusedLocally = $$"""{"kind":"person","localId":"A-X","version":1,"role":"victim","givenName":"{{GivenName}}","surname":"{{RejectedSurname}}<b>","labels":{{Labels()}}}""";
        outputs.Add((await hub.PublishAsync(first, hub.WriteLines([refusedLocally]))).Output);
        await RawEnvelope.PublishAsync(second, new
        {
            persons = new[]
            {
                new Dictionary<string, object?>
                {
                    ["localId"] = "B-X", ["version"] = 1, ["personRole"] = "Victim",
                    ["personGivenName"] = GivenName, ["personSurName"] = RejectedSurname + "\u202E",
                    ["labels"] = new { sensitivity = "Open", controlOfficial = new { personFullName = "Det. " + Official, contactChannel = OfficialMail } },
                },
            },
        }, Ct);
        var setAside = await ErrorQueue.NextAsync(hub.VirtualHost, Patience, Ct);
        Assert.Equal(second.Code, setAside.Agency);

        // A withdrawal, which retracts the phone's match.
        outputs.Add((await hub.PublishAsync(first, hub.WriteLines([$$"""{"kind":"phone","localId":"A-T","version":2,"withdrawn":true}"""]))).Output);
        await hub.WaitForAsync(db => db.Records.CountAsync(r => r.AgencyCode == first.Code && r.LocalId == "A-T" && r.WithdrawnAt != null), n => n == 1, Patience);

        var logs = hub.CapturedLogs.FullText.ToArray();
        Assert.NotEmpty(logs);
        // The logs did see the run: the agencies are named (identifiers may be logged), so an empty capture cannot pass.
        Assert.Contains(logs, line => line.Contains(first.Code, StringComparison.Ordinal));
        var leaks = logs.Concat(outputs)
            .SelectMany(text => Sentinels.Where(value => text.Contains(value, StringComparison.OrdinalIgnoreCase)).Select(value => (value, text)))
            .Select(leak => $"{leak.value} in: {leak.text[..Math.Min(300, leak.text.Length)]}")
            .ToList();
        Assert.Empty(leaks);
    }
}

/// <summary>An ingestion hub whose Gateway logs every category at Trace into a capture.</summary>
public sealed class RecordLoggingFixture : IngestionFixture
{
    /// <summary>Everything the Gateway logged.</summary>
    public CapturingLoggerProvider CapturedLogs { get; } = new();

    protected override CapturingLoggerProvider? Logs => CapturedLogs;

    protected override IReadOnlyDictionary<string, string?> ConsumerSettings { get; } = new Dictionary<string, string?>
    {
        ["Ingestion:ConcurrentMessageLimit"] = "1",
        ["Ingestion:PrefetchCount"] = "4",
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
        ["Logging:LogLevel:MassTransit"] = "Trace",
        ["Logging:LogLevel:Npgsql"] = "Trace",
    };
}
