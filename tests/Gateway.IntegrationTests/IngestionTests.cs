using MassTransit;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SharingHub.Connectors.Cli;
using SharingHub.Contracts.V1;
using SharingHub.Gateway.Deconfliction;
using SharingHub.TestSupport;

namespace SharingHub.Gateway.IntegrationTests;

/// <summary>Round trips through the real connector CLI, RabbitMQ and PostgreSQL.</summary>
public sealed class IngestionTests(IngestionFixture hub) : IClassFixture<IngestionFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PublishCli_TenThousandRecordsTwice_EachMessageConsumedOnceAndEachRecordWrittenOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var agency = await hub.AddAgencyAsync("A");
        var other = await hub.AddAgencyAsync("M");
        await using var spy = await PublishedRecords.StartAsync(hub.VirtualHost.AmqpUri, agency.Code);
        using var consumed = ConsumedMessages.Watch(hub.App);
        var lines = CanonicalLines.Mixed(10_000).ToList();

        await PublishOkAsync(agency, hub.WriteLines(lines));
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 10_000, Patience);
        // Another agency shares two of the phones, so the re-send below has matches it could duplicate.
        // (Its person shares no name with the sentinel below, which would be a new match of its own.)
        await PublishOkAsync(other, hub.WriteLines([CanonicalLines.Person("Q-1", surname: "Okonkwo").Replace("\"María\"", "\"Chidi\"", StringComparison.Ordinal),
            CanonicalLines.Phone("Q-T-1", "Q-1", "+52 55 1001 0001"), CanonicalLines.Phone("Q-T-4", "Q-1", "+52 55 1004 0004")]));
        await hub.WaitForAsync(_ => hub.FindAsync(other.Code, RecordKind.Phone, "Q-T-4"), r => r is not null, Patience);
        var matchesBefore = await SettledMatchesAsync(agency.Code);
        Assert.Equal(2, matchesBefore.Count(m => m.Kind == MatchKind.SharedPhone));
        var first = await spy.DrainMessagesAsync();
        Assert.Equal(10, first.Count);

        // The same records again (a new file, so nothing counts as already confirmed), then a sentinel: the hub
        // consumes one message at a time, so once the sentinel is stored every re-sent batch has been handled.
        await PublishOkAsync(agency, hub.WriteLines(lines.Append(CanonicalLines.Person("SENTINEL"))));
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "SENTINEL"), r => r is not null, Patience);
        var again = await spy.DrainMessagesAsync();
        Assert.Equal(11, again.Count);

        // On the wire: each message the agency published was consumed exactly once, none redelivered, none faulted.
        var sent = first.Concat(again).Select(m => m.MessageId).ToList();
        // (The observer hears of a message just after its commit: the sentinel's may still be on its way.)
        var ours = await Eventually.UntilAsync(() => Task.FromResult(consumed.Consumed.Where(c => c.MessageId is { } id && sent.Contains(id)).ToList()),
            list => list.Count >= sent.Count, "every published message to be consumed", cancellationToken: ct);
        Assert.Equal(sent.Order(), ours.Select(c => c.MessageId!.Value).Order());
        Assert.DoesNotContain(ours, c => c.Redelivered);
        Assert.Empty(consumed.Faults);
        Assert.Null(await ErrorQueue.TakeAsync(hub.VirtualHost, ct));

        // In the hub: every record is at version 1, was written once (never updated since it was first seen), and
        // carries the id of the first message that brought it; the re-sent messages changed nothing.
        var firstMessageOf = first.SelectMany(m => m.Records.Select(r => (Record: r, m.MessageId))).ToDictionary(p => p.Record, p => p.MessageId);
        var stored = await hub.App.WithDatabaseAsync(db => db.Records.AsNoTracking().Where(r => r.AgencyCode == agency.Code && r.LocalId != "SENTINEL")
            .Select(r => new { r.Kind, r.LocalId, r.Version, r.FirstSeenAt, r.UpdatedAt, r.LastMessageId }).ToListAsync(ct));
        Assert.Equal(10_000, stored.Count);
        Assert.All(stored, r =>
        {
            Assert.Equal(1, r.Version);
            Assert.Equal(r.FirstSeenAt, r.UpdatedAt);
            Assert.Equal(firstMessageOf[$"{r.Kind.ToString().ToLowerInvariant()}:{r.LocalId}"], r.LastMessageId);
        });
        Assert.Equal("+525510010001", (await hub.FindAsync(agency.Code, RecordKind.Phone, "T-1"))!.PhoneE164);

        // No duplicate match, and no match event beyond the first ones (the sentinel may match other tests' persons).
        var sentinel = (await hub.FindAsync(agency.Code, RecordKind.Person, "SENTINEL"))!.Id;
        Assert.Equal(matchesBefore, await SettledMatchesAsync(agency.Code, excludingRecord: sentinel));
    }

    [Fact]
    public async Task Upsert_OlderVersionAfterNewer_KeepsNewerAndWithdrawalTombstones()
    {
        var agency = await hub.AddAgencyAsync("V");
        await PublishOkAsync(agency, hub.WriteLines([CanonicalLines.Person("P-1", version: 5, surname: "Newer")]));
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "P-1"), r => r is not null, Patience);

        await PublishOkAsync(agency, hub.WriteLines([CanonicalLines.Person("P-1", version: 4, surname: "Older"), CanonicalLines.Person("MARK-1")]));
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "MARK-1"), r => r is not null, Patience);

        var kept = await hub.FindAsync(agency.Code, RecordKind.Person, "P-1");
        Assert.Equal(5, kept!.Version);
        Assert.Equal("Newer", kept.Surname);

        await PublishOkAsync(agency, hub.WriteLines([CanonicalLines.Withdrawal("person", "P-1", 6), CanonicalLines.Person("MARK-2")]));
        await hub.WaitForAsync(_ => hub.FindAsync(agency.Code, RecordKind.Person, "MARK-2"), r => r is not null, Patience);
        var withdrawn = await hub.FindAsync(agency.Code, RecordKind.Person, "P-1");
        Assert.NotNull(withdrawn!.WithdrawnAt);
        Assert.Equal(6, withdrawn.Version);
        Assert.Null(withdrawn.Surname);
        Assert.Null(withdrawn.ControlOfficialName);
    }

    [Fact]
    public async Task PublishCli_FileWithBadRows_PublishesGoodRowsAndReportsEveryBadOne()
    {
        var agency = await hub.AddAgencyAsync("R");
        var file = hub.WriteLines(
        [
            CanonicalLines.Person("P-1"),
            CanonicalLines.Person("P-2", role: "suspect"),
            CanonicalLines.Person("P-3").Replace("\"surname\"", "\"surnme\"", StringComparison.Ordinal),
            CanonicalLines.Phone("T-1", "P-1", number: "12"),
            CanonicalLines.Phone("T-2", "P-1"),
            CanonicalLines.Person("P-4").Replace("1988-03", "1988-13", StringComparison.Ordinal),
            CanonicalLines.Location("L-1", 1),
        ]);

        var (exit, output) = await hub.PublishAsync(agency, file);

        Assert.Equal(ExitCodes.SomeRejected, exit);
        Assert.Contains($"reject report: {file}.rejects.csv", output, StringComparison.Ordinal);
        var report = await File.ReadAllLinesAsync(file + ".rejects.csv", TestContext.Current.CancellationToken);
        Assert.Equal("row,kind,localId,field,code,reason,action", report[0]);
        Assert.Collection(report.Skip(1),
            line => Assert.StartsWith("2,person,P-2,labels.justification,", line, StringComparison.Ordinal),
            line => Assert.StartsWith("3,,,surnme,unreadable,is not a field", line, StringComparison.Ordinal),
            line => Assert.StartsWith("4,phone,T-1,number,not_a_phone,is not a phone number", line, StringComparison.Ordinal),
            line => Assert.StartsWith("6,person,P-4,birthDate,", line, StringComparison.Ordinal));
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 3, Patience);
        Assert.NotNull(await hub.FindAsync(agency.Code, RecordKind.Phone, "T-2"));
    }

    [Fact]
    public async Task PublishCli_MappedCsvWithOmitInvalidBirthDate_PersonStoredWithoutItAndOmissionReported()
    {
        var agency = await hub.AddAgencyAsync("O");
        var mapping = Path.Combine(hub.WorkDirectory, $"{agency.Code}.mapping.json");
        await File.WriteAllTextAsync(mapping, """
            { "dateFormats": ["yyyyMMdd"],
              "labels": { "sensitivity": "open", "controlOfficial.name": "Det. Test", "controlOfficial.channel": "+1 713 555 0101" },
              "records": [ { "kind": "person", "omitInvalid": ["birthDate"],
                             "fields": { "localId": "P-{id}", "version": "1", "role": "victim", "surname": "{surname}", "birthDate": "{dob}" } } ] }
            """, TestContext.Current.CancellationToken);
        var file = Path.Combine(hub.WorkDirectory, $"{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "id,surname,dob\n1,Lee,19551121\n2,Kim,19551192\n", TestContext.Current.CancellationToken);

        var (exit, output) = await hub.PublishAsync(agency, file, "--mapping", mapping);

        Assert.True(exit == ExitCodes.Success, output);
        Assert.Contains("omitted 1 invalid optional values", output, StringComparison.Ordinal);
        Assert.Equal(
        [
            "row,kind,localId,field,code,reason,action",
            "3,person,P-2,birthDate,not_a_date,\"is not a date (yyyy, yyyy-MM or yyyy-MM-dd)\",omitted",
        ], await File.ReadAllLinesAsync(file + ".rejects.csv", TestContext.Current.CancellationToken));
        await hub.WaitForAsync(_ => hub.CountAsync(agency.Code), n => n == 2, Patience);
        var kept = await hub.FindAsync(agency.Code, RecordKind.Person, "P-1");
        Assert.Equal((short)1955, kept!.BirthYear);
        var omitted = await hub.FindAsync(agency.Code, RecordKind.Person, "P-2");
        Assert.Equal("Kim", omitted!.Surname);
        Assert.Null(omitted.BirthYear);
    }

    [Fact]
    public async Task Spoofing_AgencyBCredentialsClaimingAgencyA_NothingStoredAsA()
    {
        var a = await hub.AddAgencyAsync("A");
        var b = await hub.AddAgencyAsync("B");
        var factory = new ConnectionFactory { Uri = b.AuthenticatedBroker };
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, reason) =>
        {
            closed.TrySetResult(reason);
            return Task.CompletedTask;
        };

        // B claims to be A in user_id: the broker refuses the publish and closes the channel.
        var claim = new BasicProperties { UserId = a.Code, ContentType = "application/vnd.masstransit+json" };
        await channel.BasicPublishAsync(RecordPublisherExchange, "", false, claim,
            "{\"message\":{\"persons\":[]}}"u8.ToArray(), TestContext.Current.CancellationToken);
        var shutdown = await closed.Task.WaitAsync(Eventually.Patience, TestContext.Current.CancellationToken);
        Assert.Equal(ShutdownInitiator.Peer, shutdown.Initiator);
        Assert.Equal(406, shutdown.ReplyCode);
        Assert.Contains("user_id", shutdown.ReplyText, StringComparison.Ordinal);

        // B publishes A's local ids through the connector: they are B's records, never A's.
        var (exit, output) = await hub.PublishAsync(b, hub.WriteLines([CanonicalLines.Person("P-A-1"), CanonicalLines.Person("P-A-2")]));
        Assert.True(exit == ExitCodes.Success, output);
        await hub.WaitForAsync(_ => hub.CountAsync(b.Code), n => n == 2, Patience);
        Assert.Equal(0, await hub.CountAsync(a.Code));
    }

    [Fact]
    public async Task Consumer_MessageWithoutUserIdOrFromUnregisteredAgency_RejectedToErrorQueueWithReason()
    {
        var unregistered = await hub.AddAgencyAsync("U", registerInDatabase: false);
        var (exit, output) = await hub.PublishAsync(unregistered, hub.WriteLines([CanonicalLines.Person("P-U")]));
        Assert.True(exit == ExitCodes.Success, output);
        var first = await NextErrorAsync();
        Assert.Contains($"agency {unregistered.Code} is not registered", first, StringComparison.Ordinal);

        // A publisher that sets no user_id (here the administration user): whoever sent it, the hub cannot tell.
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(hub.VirtualHost.AmqpUri));
        await bus.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await bus.Publish(new RecordBatchPublished { Persons = [] }, TestContext.Current.CancellationToken);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current.CancellationToken);
        }
        var second = await NextErrorAsync();
        Assert.Contains("no AMQP user_id", second, StringComparison.Ordinal);
        Assert.Equal(0, await hub.App.WithDatabaseAsync(db => db.Records.CountAsync(r => r.LocalId == "P-U")));
    }

    /// <summary>Publishes through the connector CLI and requires its success: a fatal publish fails here, not as a timeout later.</summary>
    private async Task PublishOkAsync(TestAgency agency, string file)
    {
        var (exit, output) = await hub.PublishAsync(agency, file);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}: {output}");
    }

    /// <summary>
    /// Once no record's matching is pending: the agency's matches with every event of each, as one comparable list.
    /// </summary>
    private async Task<List<(long Id, MatchKind Kind, string Events)>> SettledMatchesAsync(string agency, long excludingRecord = 0)
    {
        await hub.WaitForAsync(db => db.Set<MatchPending>().AnyAsync(), pending => !pending, Patience);
        var matches = await hub.App.WithDatabaseAsync(db => db.Matches.AsNoTracking()
            .Where(m => (m.AgencyA == agency || m.AgencyB == agency) && m.RecordAId != excludingRecord && m.RecordBId != excludingRecord)
            .Select(m => new { m.Id, m.Kind }).ToListAsync());
        var ids = matches.Select(m => m.Id).ToList();
        var events = await hub.App.WithDatabaseAsync(db => db.MatchEvents.AsNoTracking().Where(e => ids.Contains(e.MatchId))
            .Select(e => new { e.Id, e.MatchId, e.Type }).ToListAsync());
        return [.. matches.OrderBy(m => m.Id).Select(m => (m.Id, m.Kind,
            string.Join(',', events.Where(e => e.MatchId == m.Id).OrderBy(e => e.Id).Select(e => $"{e.Id}:{e.Type}"))))];
    }

    private static string RecordPublisherExchange => $"{typeof(RecordBatchPublished).Namespace}:{nameof(RecordBatchPublished)}";

    private async Task<string> NextErrorAsync() =>
        (await ErrorQueue.NextAsync(hub.VirtualHost, Patience, TestContext.Current.CancellationToken)).Reason;
}
